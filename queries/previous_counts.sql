-- The domain's current rows on the previous date with data before $snapshot_date: the date, each unit's num and round, and the cumulative fields named in {{cumulative}} (ingest.cumulative_drops compares a file's counts with them).
with previous_date as (
    select max(snapshot_date) as day from facts where domain = $domain and snapshot_date < $snapshot_date
),
final as (
    select f.snapshot_date, f.num, f.round, {{cumulative: f.@}}
    from facts f, previous_date p
    where f.domain = $domain and f.snapshot_date = p.day
)
select * from final
