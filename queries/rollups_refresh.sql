-- Recomputes the stored rollups of one domain for the dates in [$date_from, $date_to] that have data, for every unit above grid level: villages into the domain's own `village_rollups_<domain>` (named by the caller from the fixed list of domains), the units above them into `rollups` (returns nothing).
-- Sums only the domain's own fields (`own_fields`: its fields the register does not supply, written in by the caller
-- from the declarations); the other domains' fields stay NULL in the stored rows, as a sum over the wide view's empty
-- columns gave, without summing 485k NULLs twice per field. The register's fields are summed for every domain.
-- The rows that count each day are the one rule of queries/shared/counting_window.sql (rollup.sql, which serves the
-- grids, uses it too; tests/test_rollup.py holds the two equal at every level); $lo/$hi bound the units refreshed;
-- * a row counts unless a deeper row under it is present that day (then those count instead: never twice); a unit
--   with both is flagged (double_reported); the units with a deeper row are found level by level, from the villages
--   that have grid rows upwards (a few distinct keys per level, no sort of the day's 500,000 rows);
-- * a unit sums the counting rows in its subtree at or below its own level; missing denominators come from the
--   register row by row; expected = units of the expected level (the setting, else the finest level that reported
--   in the $level_window_days days up to the day: settings.LEVEL_WINDOW_DAYS).
delete from rollups where domain = $domain and snapshot_date between $date_from::date and $date_to::date;
delete from {{village_table}} where domain = $domain and snapshot_date between $date_from::date and $date_to::date;
create or replace temp table refreshed_rollups as
with days as (
    select distinct snapshot_date as day from facts
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
),
{{> counting_window}}
keys as (
    select day, num, prefix_len from todays union all select day, num, prefix_len from carried_keys
),
below_village as (
    -- villages with a grid row that day; then, level by level, units with any deeper row (grids never are)
    select distinct day, num // 1000 * 1000 as num from keys where prefix_len > 12
),
below_township as (
    select distinct day, num // 1000000 * 1000000 as num
    from (select day, num from below_village union all select day, num from keys where prefix_len = 12)
),
below_county as (
    select distinct day, num // 1000000000 * 1000000000 as num
    from (select day, num from below_township union all select day, num from keys where prefix_len = 9)
),
below_prefecture as (
    select distinct day, num // 100000000000 * 100000000000 as num
    from (select day, num from below_county union all select day, num from keys where prefix_len = 6)
),
below_province as (
    select distinct day, num // 10000000000000 * 10000000000000 as num
    from (select day, num from below_prefecture union all select day, num from keys where prefix_len = 4)
),
masked_units as (
    select day, num, 12 as prefix_len from below_village
    union all select day, num, 9 from below_township
    union all select day, num, 6 from below_county
    union all select day, num, 4 from below_prefecture
    union all select day, num, 2 from below_province
),
expected_level as (
    -- the finest level reported in the window of $level_window_days days, from the stored level of each date
    -- (materialize.refresh has just stored those of the dates refreshed; stored_counts.py)
    select d.day, coalesce($expected_prefix_len::tinyint, max(l.prefix_len)) as prefix_len
    from days d left join day_levels l on l.domain = $domain and l.snapshot_date > d.day - $level_window_days::integer and l.snapshot_date <= d.day
    group by d.day
),
filled as (
    select l.*, k.num is not null as masked, e.prefix_len as expected_prefix_len,
        {{register_fields: g.@ as reg_@}}
    from counted l
    left join masked_units k on k.day = l.day and k.num = l.num and k.prefix_len = l.prefix_len
    join expected_level e on e.day = l.day
    left join population g on g.current and g.num = l.num
),
unmasked_partials as (
    -- first per village (a grid's rows with its village's; a row above village level on its own), so the climb to
    -- every ancestor handles 10x fewer rows; the rows that count, summed without a filter on each aggregate
    select day, num // 1000 * 1000 as member_num, least(prefix_len, 12) as partial_prefix_len,
        {{own_fields: sum(@) as @}},
        {{register_fields: sum(coalesce(@, reg_@)) as @}},
        {{register_fields: count(@) as @_from_report, count(case when @ is null then reg_@ end) as @_from_register}},
        count_if(prefix_len = expected_prefix_len and not carried) as reported,
        count_if(prefix_len = expected_prefix_len and carried) as carried,
        count(*) as rows_used,
        max(snapshot_date) as last_reported
    from filled
    where not masked
    group by day, member_num, partial_prefix_len
),
masked_partials as (
    -- a masked row (a deeper row under it that day) is counted as reported, never summed (usually there is none:
    -- counted apart, the 22 aggregates above need no `filter (where not masked)`, ~40 ms of a province day)
    select day, num // 1000 * 1000 as member_num, least(prefix_len, 12) as partial_prefix_len,
        count_if(prefix_len = expected_prefix_len and not carried) as reported,
        count_if(prefix_len = expected_prefix_len and carried) as carried,
        count_if(not carried) as double_reported
    from filled
    where masked
    group by day, member_num, partial_prefix_len
),
partials as (
    select coalesce(u.day, m.day) as day, coalesce(u.member_num, m.member_num) as member_num,
        coalesce(u.partial_prefix_len, m.partial_prefix_len) as partial_prefix_len,
        {{own_fields: u.@}}, {{register_fields: u.@}},
        {{register_fields: coalesce(u.@_from_report, 0) as @_from_report,
            coalesce(u.@_from_register, 0) as @_from_register}},
        coalesce(u.reported, 0) + coalesce(m.reported, 0) as reported,
        coalesce(u.carried, 0) + coalesce(m.carried, 0) as carried,
        coalesce(m.double_reported, 0) as double_reported,
        coalesce(u.rows_used, 0) as rows_used,
        u.last_reported
    from unmasked_partials u
    full join masked_partials m
      on m.day = u.day and m.member_num = u.member_num and m.partial_prefix_len = u.partial_prefix_len
),
-- each partial climbs level by level, one level's sums summed again into the next: a unit sums its subtree's
-- partials at or below its own level, each once
in_villages as (
    select * exclude (partial_prefix_len) from partials where partial_prefix_len = 12
),
in_townships as (
    select day, member_num // 1000000 * 1000000 as member_num, sum(columns(* exclude (day, member_num, last_reported))),
        max(last_reported) as last_reported
    from (from in_villages union all by name select * exclude (partial_prefix_len) from partials where partial_prefix_len = 9)
    group by all
),
above_townships as (
    -- the townships' sums and the rows above township level, each once per county, prefecture and province that
    -- contains it (a few thousand rows: joined to the three levels at once)
    select day, member_num, member_prefix_len,
        sum(columns(* exclude (day, member_num, member_prefix_len, last_reported))), max(last_reported) as last_reported
    from (
        select p.* exclude (member_num, partial_prefix_len), p.member_num // a.span * a.span as member_num,
            a.prefix_len as member_prefix_len
        from (select 9 as partial_prefix_len, * from in_townships
              union all by name select * from partials where partial_prefix_len < 9) p
        join (values (2, 10000000000000), (4, 100000000000), (6, 1000000000)) as a(prefix_len, span)
          on p.partial_prefix_len >= a.prefix_len
    )
    group by day, member_num, member_prefix_len
),
grouped as (
    select 12 as member_prefix_len, * from in_villages
    union all by name select 9 as member_prefix_len, * from in_townships
    union all by name select * from above_townships
),
expected as (
    -- the active units of the expected level under each unit, as stored (queries/subtree_units_rebuild.sql)
    select e.day, s.num as member_num, s.units as expected
    from expected_level e join subtree_units s on s.prefix_len = e.prefix_len
),
members as (
    select d.day, u.num, u.prefix_len from days d cross join units u where u.active and u.prefix_len <= 12
),
final as (
    select $domain as domain, m.day as snapshot_date, m.num, m.prefix_len,
        g.* exclude (day, member_num, member_prefix_len),
        coalesce(x.expected, 0) as expected, e.prefix_len as expected_prefix_len
    from members m
    join expected_level e on e.day = m.day
    left join grouped g on g.day = m.day and g.member_num = m.num and g.member_prefix_len = m.prefix_len
    left join expected x on x.day = m.day and x.member_num = m.num
)
select * from final order by snapshot_date, num;
insert into rollups by name select * from refreshed_rollups where prefix_len < 12;
insert into {{village_table}} by name select * from refreshed_rollups where prefix_len = 12;
drop table refreshed_rollups;
