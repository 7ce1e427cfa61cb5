-- Stores a new load's rows once (the registered Arrow table `incoming_rows`, sorted by num; the load's own columns are parameters, stored as constants): its rows whose unit has no current row left on the date become current in {{facts_table}} (returns nothing).
-- Runs after queries/facts_displace.sql where the date had current rows (which moved the displaced ones to the
-- noncurrent rows and the load's losing rows there too); a new day touches no current row: its rows are written once,
-- into the current rows.
insert into {{facts_table}} by name
with kept as (
    select num from {{facts_table}} where domain = $domain and snapshot_date = $snapshot_date
),
final as (
    select $load_id::integer as load_id, $domain::varchar as domain, $snapshot_date::date as snapshot_date,
        $as_of_hour::smallint as as_of_hour, i.*
    from incoming_rows i anti join kept k on k.num = i.num
)
select * from final;
