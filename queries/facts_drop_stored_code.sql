-- Drops the stored `code` column of the domains' tables in a store written before the views derived it from num (returns nothing; run once, before create_schema.sql makes those views).
{{domains lines: alter table if exists facts_@ drop column if exists code;}}
{{domains lines: alter table if exists facts_history_@ drop column if exists code;}}
