-- Per snapshot date of a domain, the loads with rows in [$lo, $hi) only (an account's scope): as load_timeliness, the first file's name only when that load lies wholly inside the range.
with spans as (
    select load_id, min(num) as lo, max(num) as hi from facts_history group by load_id
),
loads_of_domain as (
    select loads.*, (spans.lo >= $lo and spans.hi < $hi) as inside
    from loads join spans using (load_id)
    where loads.domain = $domain and spans.hi >= $lo and spans.lo < $hi
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
