-- The finest level (as prefix length) that reported in a domain during the 7 days up to a date; null if none.
with recent as (
    select prefix_len from facts
    where domain = $domain and snapshot_date between $snapshot_date - 6 and $snapshot_date
),
final as (select max(prefix_len) as prefix_len from recent)
select * from final
