-- Every date with data per domain, with how many loads made it and when the last one landed.
with per_date as (
    select domain, snapshot_date, count(*) as loads, max(loaded_at) as last_loaded_at
    from loads where status <> 'rolled_back'
    group by domain, snapshot_date
),
final as (select * from per_date)
select * from final order by domain, snapshot_date
