-- Moves a store written before facts were split by domain (`facts` and `facts_history` wide tables) into one table per domain, then drops the wide tables (returns nothing; run once, before create_schema.sql makes the views; a field the wide tables never had is added
-- afterwards, as an empty column: storage/store.py missing_columns).
{{domains lines: create table facts_history_@ as select columns(lambda c: list_contains(['load_id', 'domain', 'snapshot_date', 'as_of_hour', 'num', 'prefix_len', 'round', {{fields_@: '@'}}], c)) from facts_history where domain = '@' order by snapshot_date, num, load_id;}}
{{domains lines: create table facts_@ as select columns(lambda c: list_contains(['load_id', 'domain', 'snapshot_date', 'as_of_hour', 'num', 'prefix_len', 'round', {{fields_@: '@'}}], c)) from facts where domain = '@' order by snapshot_date, num, load_id;}}
drop table facts;
drop table facts_history;
