-- The finest level (as prefix length) that reported in a domain during the 7 days up to a date; null if none.
-- Each date's own finest level is stored (`day_levels`, the rule of queries/day_levels_refresh.sql).
with recent as (
    select prefix_len from day_levels
    where domain = $domain and snapshot_date between $snapshot_date - 6 and $snapshot_date
),
final as (select max(prefix_len) as prefix_len from recent)
select * from final
