-- Per snapshot date of a domain: how many loads made it (rolled-back ones apart), the latest as-of hour, and when the first and the last load landed.
with loads_of_domain as (
    select * from loads where domain = $domain
),
final as (
    select snapshot_date,
        count(*) filter (where status <> 'rolled_back') as loads,
        count(*) filter (where status = 'rolled_back') as rolled_back,
        max(as_of_hour) filter (where status <> 'rolled_back') as as_of_hour,
        min(loaded_at) filter (where status <> 'rolled_back') as first_loaded_at,
        max(loaded_at) filter (where status <> 'rolled_back') as last_loaded_at,
        arg_min(file_name, loaded_at) filter (where status <> 'rolled_back') as first_file
    from loads_of_domain
    group by snapshot_date
)
select * from final order by snapshot_date
