-- Stores a new load's rows once (the registered Arrow table `incoming_rows`, sorted by num; the load's own columns are parameters, stored as constants): its winning rows become current ({{facts_table}}), the rest go straight to noncurrent ({{noncurrent_table}}) (returns nothing).
-- Runs after queries/facts_displace.sql where the date had current rows (the displaced ones are then noncurrent
-- already, and a unit's current row left is of a later hour, which the load's row loses to); a new day touches no
-- current row: its rows are written once, into the current rows.
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
