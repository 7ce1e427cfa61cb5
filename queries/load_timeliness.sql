-- Per snapshot date of a domain: how many loads made it (rolled-back ones apart), the latest as-of hour, when the first and the last load landed; with $lo/$hi (an account's scope) only the loads with rows in [$lo, $hi), the first file named only when its load lies wholly inside.
with spans as (
    -- skipped whole when no range is given (the filter is constant)
    select load_id, min(num) as lo, max(num) as hi from facts_history
    where $lo::bigint is not null
    group by load_id
),
loads_of_domain as (
    select loads.*, $lo::bigint is null or (spans.lo >= $lo and spans.hi < $hi) as inside
    from loads left join spans using (load_id)
    where loads.domain = $domain and ($lo::bigint is null or (spans.hi >= $lo and spans.lo < $hi))
),
final as (
    select snapshot_date,
        count(*) filter (where status <> 'rolled_back') as loads,
        count(*) filter (where status = 'rolled_back') as rolled_back,
        max(as_of_hour) filter (where status <> 'rolled_back') as as_of_hour,
        min(loaded_at) filter (where status <> 'rolled_back') as first_loaded_at,
        max(loaded_at) filter (where status <> 'rolled_back') as last_loaded_at,
        arg_min(case when inside then file_name end, loaded_at) filter (where status <> 'rolled_back') as first_file
    from loads_of_domain
    group by snapshot_date
)
select * from final order by snapshot_date
