-- For each unit in `incoming_facts` (num and every cumulative field, null where not loaded) whose count is below its row on the previous date with data in the domain (before $snapshot_date): that row's date, round and cumulative counts.
with previous_date as (
    select max(snapshot_date) as day from facts where domain = $domain and snapshot_date < $snapshot_date
),
previous as (
    select f.* from facts f, previous_date p where f.domain = $domain and f.snapshot_date = p.day
),
final as (
    select p.num, p.snapshot_date, p.round, p.households_checked, p.persons_checked, p.returnees,
        p.risk_area_returnees, p.sampled, p.tested, p.positives, p.dose1, p.full_course, p.booster
    from previous p join incoming_facts i on i.num = p.num
    where i.households_checked < p.households_checked or i.persons_checked < p.persons_checked
       or i.returnees < p.returnees or i.risk_area_returnees < p.risk_area_returnees
       or i.sampled < p.sampled or i.tested < p.tested or i.positives < p.positives
       or i.dose1 < p.dose1 or i.full_course < p.full_course or i.booster < p.booster
)
select * from final order by num
