-- The finest level (as prefix length) that reported in a domain during the 7 days up to each of its dates with data.
with daily as (
    select snapshot_date, max(prefix_len) as finest from facts
    where domain = $domain
    group by snapshot_date
),
final as (
    select d.snapshot_date, max(w.finest) as prefix_len
    from daily d join daily w on w.snapshot_date between d.snapshot_date - 6 and d.snapshot_date
    group by d.snapshot_date
)
select * from final
