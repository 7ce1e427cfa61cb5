-- Cells of `incoming_facts` (line, num, round, the domain's cumulative fields named in {{cumulative}}) below the same unit's count on the previous date with data in the domain (before $snapshot_date; in a domain with rounds, $has_rounds: same round only): line, column, value, the previous count and date, and how many cells of that column dropped in all; only the first $shown per column, by line.
with previous_date as (
    select max(snapshot_date) as day from facts where domain = $domain and snapshot_date < $snapshot_date
),
previous as (
    select f.* from facts f, previous_date p where f.domain = $domain and f.snapshot_date = p.day
),
dropped_rows as (
    select i.line, p.snapshot_date as previous_date,
        [{{cumulative: i.@}}] as now_values,
        [{{cumulative: p.@}}] as previous_values
    from previous p join incoming_facts i on i.num = p.num
    where (not $has_rounds or i.round is not distinct from p.round)
      and ({{cumulative or: i.@ < p.@}})
),
cells as (
    select line, previous_date,
        unnest([{{cumulative: '@'}}]) as column_name,
        unnest(now_values) as value, unnest(previous_values) as previous
    from dropped_rows
),
final as (
    select line, column_name, value, previous, previous_date, count(*) over (partition by column_name) as dropped
    from cells
    where value < previous
    qualify row_number() over (partition by column_name order by line) <= $shown
)
select * from final order by column_name, line
