-- The finest level (as prefix length) that reported in a domain during the $level_window_days days up to each of its dates with data.
-- Each date's own finest level is stored (`day_levels`, the rule of queries/day_levels_refresh.sql).
with daily as (
    select snapshot_date, prefix_len as finest from day_levels
    where domain = $domain
),
final as (
    select d.snapshot_date, max(w.finest) as prefix_len
    from daily d join daily w on w.snapshot_date > d.snapshot_date - $level_window_days::integer and w.snapshot_date <= d.snapshot_date
    group by d.snapshot_date
)
select * from final
