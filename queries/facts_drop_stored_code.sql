-- Drops the stored `code` column of the domains' tables in a store written before the views derived it from num (returns nothing; run once, before create_schema.sql makes those views).
alter table facts_screening drop column if exists code;
alter table facts_testing drop column if exists code;
alter table facts_vaccination drop column if exists code;
alter table facts_history_screening drop column if exists code;
alter table facts_history_testing drop column if exists code;
alter table facts_history_vaccination drop column if exists code;
