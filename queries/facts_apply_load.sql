-- Stores a new load's rows once (the registered Arrow table `incoming_rows`, sorted by num; the load's own columns are parameters, stored as constants): the rows it displaces move from its domain's current rows ({{facts_table}}) to its noncurrent rows ({{noncurrent_table}}), its winning rows become current, the rest go straight to noncurrent (returns nothing).
-- The same winner rule as facts_refresh.sql (latest as-of hour, no hour = end of day, then latest load), applied
-- incrementally: the new load has the highest id, so it displaces a unit's current row unless that row has a later
-- hour. A new day touches no current row: its rows are written once, into the current rows.
insert into {{noncurrent_table}} by name
select * from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date
  and num in (select num from incoming_rows)
  and coalesce(as_of_hour, 24) <= coalesce($as_of_hour::smallint, 24);
delete from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date
  and num in (select num from incoming_rows)
  and coalesce(as_of_hour, 24) <= coalesce($as_of_hour::smallint, 24);
-- the load's rows whose unit keeps a current row of a later hour: never current, kept as noncurrent
insert into {{noncurrent_table}} by name
with kept as (
    select num from {{facts_table}} where domain = $domain and snapshot_date = $snapshot_date
),
final as (
    select $load_id::integer as load_id, $domain::varchar as domain, $snapshot_date::date as snapshot_date,
        $as_of_hour::smallint as as_of_hour, i.*
    from incoming_rows i semi join kept k on k.num = i.num
)
select * from final;
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
