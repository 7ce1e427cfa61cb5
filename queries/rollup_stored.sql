-- Stored rollups (see rollups_refresh.sql) of member units above grid level: a unit itself, its children, or all its units of one level (and the unit itself too when $unit_num is given), per date with data in [$date_from, $date_to], with each member's own register entry; of the rollup columns only those named in $columns.
with days as (
    select distinct snapshot_date as day from rollups  -- every active unit above grid level has a row per date
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
      and num >= $lo and num < $hi and prefix_len <= $member_prefix_len
    union
    select $date_to::date where $date_to::date is not null  -- a date without data still lists the members
),
members as (
    select num, code, name, level from units
    where active and num >= $lo and num < $hi and prefix_len <= $member_prefix_len  -- filters the scan itself
      and (prefix_len = $member_prefix_len and ($parent_code::varchar is null or parent_code = $parent_code::varchar)
           or num = $unit_num::bigint)
),
stored as (
    -- the domain's columns only (named in $columns, a whitelist from fields.py); the filters prune the scan
    select snapshot_date, num, columns(lambda c: list_contains($columns, c)) from rollups
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
      and num >= $lo and num < $hi and prefix_len <= $member_prefix_len
),
final as (
    select d.day as snapshot_date, m.code, m.name, m.level, m.num,
        r.* exclude (snapshot_date, num),
        p.resident_population as own_resident_population, p.target_persons as own_target_persons,
        p.target_population as own_target_population, p.households_total as own_households_total
    from members m
    cross join days d
    left join stored r on r.snapshot_date = d.day and r.num = m.num
    left join population p on p.current and p.num = m.num
)
select * from final order by snapshot_date, num
