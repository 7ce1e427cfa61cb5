-- The benchmark's earlier ingest floor, kept beside the layout floor (bench_floor_load.sql) so figures stay comparable with earlier runs: the same file stored once with only its own columns (a table of the file's fields, not the domain's declared ones), keyed and clustered the same way (returns nothing).
create or replace table file_columns_floor as
{{> floor_rows}}
select * from final order by num;
