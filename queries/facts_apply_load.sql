-- Makes a new load's rows (the registered frame `incoming_facts`) current where they win; returns nothing.
-- The same winner rule as facts_refresh.sql (latest as-of hour, no hour = end of day, then latest load), applied
-- incrementally: the new load has the highest id, so it replaces a unit's current row unless that row has a later hour.
delete from facts
where domain = $domain and snapshot_date = $snapshot_date
  and num in (select num from incoming_facts)
  and coalesce(as_of_hour, 24) <= coalesce($as_of_hour::smallint, 24);
insert into facts by name
with kept as (
    select num from facts where domain = $domain and snapshot_date = $snapshot_date
),
final as (
    select i.* from incoming_facts i anti join kept k on k.num = i.num
)
select * from final order by num;
