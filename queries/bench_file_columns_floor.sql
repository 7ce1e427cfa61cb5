-- The benchmark's earlier ingest floor, kept beside the layout floor (bench_floor_load.sql) so figures stay comparable with earlier runs: the same file stored once with only its own columns (a table of the file's fields, not the domain's declared ones), keyed and clustered the same way (returns nothing).
create or replace table file_columns_floor as
with parsed as (
    select * from read_csv($path, header = true, types = {'code': 'VARCHAR'})
),
final as (
    select 1::integer as load_id, $domain::varchar as domain, $snapshot_date::date as snapshot_date,
        null::smallint as as_of_hour, rpad(code, 15, '0')::bigint as num, length(code)::tinyint as prefix_len,
        1::integer as round, * exclude (code)
    from parsed
)
select * from final order by num;
