-- Per active unit at one level under a unit: on how many dates in [$date_from, $date_to] it sent a row of the domain, and its last such date.
-- Data quality uses it to single out a unit that usually reports but did not today.
with units_at_level as (
    select code, num from units
    where active and num >= $lo and num < $hi and prefix_len = $prefix_len
),
sent as (
    select num, count(distinct snapshot_date) as days_reported, max(snapshot_date) as last_sent
    from facts
    where domain = $domain and prefix_len = $prefix_len and num >= $lo and num < $hi
      and snapshot_date between $date_from::date and $date_to::date
    group by num
),
final as (
    select u.code, coalesce(s.days_reported, 0) as days_reported, s.last_sent
    from units_at_level u left join sent s using (num)
)
select * from final order by code
