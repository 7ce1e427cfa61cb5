-- The finest level (as prefix length) that reported in a domain during the $level_window_days days up to a date (settings.LEVEL_WINDOW_DAYS); null if none.
-- Each date's own finest level is stored (`day_levels`, the rule of queries/day_levels_refresh.sql).
with recent as (
    select prefix_len from day_levels
    where domain = $domain and snapshot_date > $snapshot_date - $level_window_days::integer and snapshot_date <= $snapshot_date
),
final as (select max(prefix_len) as prefix_len from recent)
select * from final
