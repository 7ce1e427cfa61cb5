-- The stored finest level of one domain on each date in [$date_from, $date_to] that has one (snapshot_date, prefix_len), by date.
with final as (
    select snapshot_date, prefix_len from day_levels
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
)
select * from final order by snapshot_date
