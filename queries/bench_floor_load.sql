-- The benchmark's ingest floor: the same file stored once in the layout the pages read, the domain's own table as the store declares it (every field of the domain; those the file lacks stay empty), the integer key from the code, rows clustered by it, the load's columns as constants; nothing checked, no history, no rollups (returns nothing).
insert into {{facts_table}} by name
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
