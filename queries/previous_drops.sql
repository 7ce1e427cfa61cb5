-- Cells of `incoming_facts` (line, num, round, every cumulative field: null where not loaded) below the same unit's count on the previous date with data in the domain (before $snapshot_date; testing: same round only): line, column, value, the previous count and date, and how many cells of that column dropped in all; only the first $shown per column, by line.
with previous_date as (
    select max(snapshot_date) as day from facts where domain = $domain and snapshot_date < $snapshot_date
),
previous as (
    select f.* from facts f, previous_date p where f.domain = $domain and f.snapshot_date = p.day
),
dropped_rows as (
    select i.line, p.snapshot_date as previous_date,
        [i.households_checked, i.persons_checked, i.returnees, i.risk_area_returnees, i.sampled, i.tested,
         i.positives, i.dose1, i.full_course, i.booster] as now_values,
        [p.households_checked, p.persons_checked, p.returnees, p.risk_area_returnees, p.sampled, p.tested,
         p.positives, p.dose1, p.full_course, p.booster] as previous_values
    from previous p join incoming_facts i on i.num = p.num
    where ($domain <> 'testing' or i.round is not distinct from p.round)
      and (i.households_checked < p.households_checked or i.persons_checked < p.persons_checked
       or i.returnees < p.returnees or i.risk_area_returnees < p.risk_area_returnees
       or i.sampled < p.sampled or i.tested < p.tested or i.positives < p.positives
       or i.dose1 < p.dose1 or i.full_course < p.full_course or i.booster < p.booster)
),
cells as (
    select line, previous_date,
        unnest(['households_checked', 'persons_checked', 'returnees', 'risk_area_returnees', 'sampled', 'tested',
                'positives', 'dose1', 'full_course', 'booster']) as column_name,
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
