-- shared: the benchmark floors' rows (bench_floor_load.sql, bench_layout_floor.sql): the file $path read by DuckDB, the integer key from the code, the load's columns as constants; gives `final`.
with parsed as (
    select * from read_csv($path, header = true, types = {'code': 'VARCHAR'})
),
final as (
    select 1::integer as load_id, $domain::varchar as domain, $snapshot_date::date as snapshot_date,
        null::smallint as as_of_hour, rpad(code, 15, '0')::bigint as num, length(code)::tinyint as prefix_len,
        1::integer as round, * exclude (code)
    from parsed
)
