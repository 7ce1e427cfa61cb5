-- The benchmark's ingest floor (issue 7's, the one issue 19's targets are stated against): the same file stored once, a table of the file's own columns keyed and clustered as the pages' layout is, the load's columns as constants; nothing checked, no history, no rollups (returns nothing).
create or replace table floor_rows as
{{> floor_rows}}
select * from final order by num;
