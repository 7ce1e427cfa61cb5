-- One domain's rollup at one date for a unit (is_total) and each of its children: field sums, denominator sources, reported/carried/expected counts.
-- Rule: a row counts unless a deeper row under it is present (then its subtree's rows count instead: never twice);
-- a unit silent today contributes its last row of the previous $carry_days days (same testing round), marked carried.
with window_rows as (
    select * from facts
    where domain = $domain
      and snapshot_date between $snapshot_date::date - $carry_days::integer and $snapshot_date::date
      and num >= $lo and num < $hi
),
set_round as (
    select county_num, arg_max(round, start_date) as round
    from rounds where start_date <= $snapshot_date::date group by county_num
),
reported_round as (
    select num // 1000000000 * 1000000000 as county_num, max(round) as round
    from window_rows where snapshot_date = $snapshot_date::date group by all
),
latest as (
    -- the round running in a county: the one set to have started, or a later one that today's reports name
    select w.*, w.snapshot_date < $snapshot_date::date as carried
    from window_rows w
    left join set_round s on s.county_num = w.num // 1000000000 * 1000000000
    left join reported_round r on r.county_num = w.num // 1000000000 * 1000000000
    where w.snapshot_date = $snapshot_date::date or w.round is null
       or w.round = greatest(coalesce(s.round, 1), coalesce(r.round, 0))
    qualify row_number() over (partition by w.num order by w.snapshot_date desc) = 1
),
marked as (
    select *,
        coalesce(lead(num) over (order by num) < num + case prefix_len
            when 2 then 10000000000000 when 4 then 100000000000 when 6 then 1000000000
            when 9 then 1000000 when 12 then 1000 else 1 end, false) as masked,
        case when prefix_len > $unit_prefix_len then num // $child_span * $child_span end as child_num
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
    select child_num, grouping(child_num) = 1 as is_total,
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
        count(*) filter (where prefix_len = $expected_prefix_len and not carried) as reported,
        count(*) filter (where prefix_len = $expected_prefix_len and carried) as carried,
        count(*) filter (where masked and not carried) as double_reported,
        count(*) filter (where not masked) as rows_used,
        max(snapshot_date) filter (where not masked) as last_reported
    from filled
    group by grouping sets ((child_num), ())
),
expected as (
    select case when prefix_len > $unit_prefix_len then num // $child_span * $child_span end as child_num,
        grouping(child_num) = 1 as is_total, count(*) as expected
    from units
    where active and prefix_len = $expected_prefix_len and num >= $lo and num < $hi
    group by grouping sets ((child_num), ())
),
members as (
    select num, code, name, level, false as is_total from units where parent_code = $unit_code
    union all
    select num, code, name, level, true from units where code = $unit_code
),
final as (
    select m.code, m.name, m.level, m.num, m.is_total, g.* exclude (child_num, is_total),
        coalesce(e.expected, 0) as expected,
        r.resident_population as own_resident_population, r.target_persons as own_target_persons,
        r.target_population as own_target_population, r.households_total as own_households_total
    from members m
    left join grouped g on g.is_total = m.is_total and (m.is_total or g.child_num = m.num)
    left join expected e on e.is_total = m.is_total and (m.is_total or e.child_num = m.num)
    left join register r on r.num = m.num
)
select * from final order by is_total desc, num
