-- The finest level (as prefix length) that reported in a domain during the 7 days up to each of its dates with data.
-- Each date's own finest level is stored (`day_levels`, the rule of queries/day_levels_refresh.sql).
with daily as (
    select snapshot_date, prefix_len as finest from day_levels
    where domain = $domain
),
final as (
    select d.snapshot_date, max(w.finest) as prefix_len
    from daily d join daily w on w.snapshot_date between d.snapshot_date - 6 and d.snapshot_date
    group by d.snapshot_date
)
select * from final
