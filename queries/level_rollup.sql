-- Every unit at one level under a unit (e.g. all grids of a county) with its rolled-up field sums for a domain and date, by the rule of children_rollup (for the all-grids map).
-- Rows above the level (e.g. village rows when the level is grid) cannot be split between its units and are left out.
with window_rows as (
    select * from facts
    where domain = $domain
      and snapshot_date between $snapshot_date::date - $carry_days::integer and $snapshot_date::date
      and num >= $lo and num < $hi
),
running_round as (
    select county_num, arg_max(round, start_date) as round
    from rounds where start_date <= $snapshot_date::date group by county_num
),
latest as (
    select w.*, w.snapshot_date < $snapshot_date::date as carried
    from window_rows w
    left join running_round r on r.county_num = w.num // 1000000000 * 1000000000
    where w.snapshot_date = $snapshot_date::date or w.round is null or w.round = coalesce(r.round, 1)
    qualify row_number() over (partition by w.num order by w.snapshot_date desc) = 1
),
marked as (
    select *,
        coalesce(lead(num) over (order by num) < num + case prefix_len
            when 2 then 10000000000000 when 4 then 100000000000 when 6 then 1000000000
            when 9 then 1000000 when 12 then 1000 else 1 end, false) as masked,
        num // $level_span * $level_span as member_num
    from latest
    where prefix_len >= $level_prefix_len
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
    select member_num,
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
        count(reg_households_total) filter (where not masked and households_total is null) as households_total_from_register,
        count(*) filter (where carried and not masked) as carried,
        max(snapshot_date) filter (where not masked) as last_reported
    from filled
    group by member_num
),
members as (
    select num, code, name, level from units
    where active and prefix_len = $level_prefix_len and num >= $lo and num < $hi
),
final as (
    select m.code, m.name, m.level, m.num, g.* exclude (member_num),
        r.resident_population as own_resident_population, r.target_persons as own_target_persons,
        r.target_population as own_target_population, r.households_total as own_households_total
    from members m
    left join grouped g on g.member_num = m.num
    left join register r on r.num = m.num
)
select * from final order by num
