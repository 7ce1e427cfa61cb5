-- Moves a store written before villages' rollups were split by domain (one wide `village_rollups` table for all domains) into one table per domain with only its columns, then drops the wide table (returns nothing; run once, before create_schema.sql makes the view; a field the wide table never had is added afterwards, as an empty column: storage/store.py missing_columns).
{{domains lines: create table village_rollups_@ as select columns({{> village_rollup_columns}}) from village_rollups where domain = '@' order by snapshot_date, num;}}
drop table village_rollups;
