-- Makes a new load's rows (the registered Arrow table `incoming_rows`, sorted by num; the load's own columns are parameters) current where they win, in its domain's table of current rows named in {{facts_table}}; returns nothing.
-- The same winner rule as facts_refresh.sql (latest as-of hour, no hour = end of day, then latest load), applied
-- incrementally: the new load has the highest id, so it replaces a unit's current row unless that row has a later hour.
delete from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date
  and num in (select num from incoming_rows)
  and coalesce(as_of_hour, 24) <= coalesce($as_of_hour::smallint, 24);
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
