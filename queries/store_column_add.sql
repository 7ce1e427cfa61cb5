-- Adds a count column a domain's declaration gives a table that a store written before lacks (returns nothing); the table and column names come from the declarations (storage/store.py: declared_columns).
alter table {{table}} add column if not exists {{column}} bigint;
