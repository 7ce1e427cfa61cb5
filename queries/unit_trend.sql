-- One unit's rolled-up field sums per snapshot date with data in a domain, from $date_from to $date_to, by the rule of children_rollup (for trend lines).
-- Same counting rule as children_rollup's total row, once per date: deeper rows mask shallower ones, a silent unit
-- contributes its last row of the previous $carry_days days (same testing round), denominators fall back to the register.
with days as (
    select distinct snapshot_date as day from facts
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
),
source as (
    select * from facts
    where domain = $domain and num >= $lo and num < $hi
      and snapshot_date between $date_from::date - $carry_days::integer and $date_to::date
),
window_rows as (
    select d.day, f.*
    from days d
    cross join range(0, $carry_days::integer + 1) as k(back)
    join source f on f.snapshot_date = d.day - k.back::integer
),
running_round as (
    select d.day, r.county_num, arg_max(r.round, r.start_date) as round
    from days d join rounds r on r.start_date <= d.day
    group by d.day, r.county_num
),
latest as (
    select w.*
    from window_rows w
    left join running_round r on r.day = w.day and r.county_num = w.num // 1000000000 * 1000000000
    where w.snapshot_date = w.day or w.round is null or w.round = coalesce(r.round, 1)
    qualify row_number() over (partition by w.day, w.num order by w.snapshot_date desc) = 1
),
marked as (
    select *,
        coalesce(lead(num) over (partition by day order by num) < num + case prefix_len
            when 2 then 10000000000000 when 4 then 100000000000 when 6 then 1000000000
            when 9 then 1000000 when 12 then 1000 else 1 end, false) as masked
    from latest
),
register as (
    select num, resident_population, target_persons, target_population, households_total
    from population where current and num >= $lo and num < $hi
),
filled as (
    select m.*,
        g.resident_population as reg_resident_population, g.target_persons as reg_target_persons,
        g.target_population as reg_target_population, g.households_total as reg_households_total
    from marked m left join register g using (num)
),
grouped as (
    select day as snapshot_date,
        sum(households_total) filter (where not masked) as households_total,
        sum(households_checked) filter (where not masked) as households_checked,
        sum(persons_checked) filter (where not masked) as persons_checked,
        sum(returnees) filter (where not masked) as returnees,
        sum(risk_area_returnees) filter (where not masked) as risk_area_returnees,
        sum(home_isolation) filter (where not masked) as home_isolation,
        sum(central_isolation) filter (where not masked) as central_isolation,
        sum(health_monitoring) filter (where not masked) as health_monitoring,
        sum(coalesce(resident_population, reg_resident_population)) filter (where not masked) as resident_population,
        sum(coalesce(target_persons, reg_target_persons)) filter (where not masked) as target_persons,
        sum(sampled) filter (where not masked) as sampled,
        sum(tested) filter (where not masked) as tested,
        sum(positives) filter (where not masked) as positives,
        sum(sampling_sites) filter (where not masked) as sampling_sites,
        sum(sampling_staff) filter (where not masked) as sampling_staff,
        sum(coalesce(target_population, reg_target_population)) filter (where not masked) as target_population,
        sum(dose1) filter (where not masked) as dose1,
        sum(full_course) filter (where not masked) as full_course,
        sum(booster) filter (where not masked) as booster,
        count(resident_population) filter (where not masked) as resident_population_from_report,
        count(reg_resident_population) filter (where not masked and resident_population is null) as resident_population_from_register,
        count(target_persons) filter (where not masked) as target_persons_from_report,
        count(reg_target_persons) filter (where not masked and target_persons is null) as target_persons_from_register,
        count(target_population) filter (where not masked) as target_population_from_report,
        count(reg_target_population) filter (where not masked and target_population is null) as target_population_from_register,
        count(households_total) filter (where not masked) as households_total_from_report,
        count(reg_households_total) filter (where not masked and households_total is null) as households_total_from_register
    from filled
    group by day
),
final as (
    select g.*,
        r.resident_population as own_resident_population, r.target_persons as own_target_persons,
        r.target_population as own_target_population, r.households_total as own_households_total
    from grouped g
    left join register r on r.num = $lo
)
select * from final order by snapshot_date
