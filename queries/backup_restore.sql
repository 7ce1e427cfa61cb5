-- Fills a new store's empty tables from a backup's Parquet files (returns nothing); one $<table> path per table (dashboard/backup.py checks they are exactly the schema's tables).
insert into meta by name select * from read_parquet($meta);
insert into units by name select * from read_parquet($units);
insert into unit_names by name select * from read_parquet($unit_names);
insert into boundaries by name select * from read_parquet($boundaries);
insert into population by name select * from read_parquet($population);
insert into rounds by name select * from read_parquet($rounds);
insert into settings by name select * from read_parquet($settings);
insert into loads by name select * from read_parquet($loads);
-- an older backup has one wide facts (and facts_history) file for all domains: each domain's table is given it; an
-- older backup's history (one wide file, or one per domain) holds every row of every load, the current ones too:
-- those are restored from the facts file alone, so each row is kept once (a newer backup's files never share a row)
{{domains lines: insert into facts_@ by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, {{fields_@}} from read_parquet($facts_@) where domain = '@';}}
{{domains lines: insert into facts_noncurrent_@ by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, {{fields_@}} from read_parquet($facts_noncurrent_@) h where domain = '@' and not exists (select 1 from facts_@ f where f.load_id = h.load_id and f.num = h.num);}}
insert into load_events by name select * from read_parquet($load_events);
insert into rollups by name select * from read_parquet($rollups) where prefix_len < 12;
-- an older backup has no file per domain for the villages' rollups: each domain's table is given its one wide
-- village_rollups file (or, older still, the rollups file, which holds the villages' rows too)
{{domains lines: insert into village_rollups_@ by name select columns({{> village_rollup_columns}}) from read_parquet($village_rollups_@) where domain = '@' and prefix_len = 12;}}
insert into load_warnings by name select * from read_parquet($load_warnings);
