-- For each unit in `incoming_facts`: its row on the previous date with data in the domain (before $snapshot_date).
with previous_date as (
    select max(snapshot_date) as day from facts where domain = $domain and snapshot_date < $snapshot_date
),
final as (
    select f.* from facts f, previous_date p
    where f.domain = $domain and f.snapshot_date = p.day and f.num in (select num from incoming_facts)
)
select * from final order by num
