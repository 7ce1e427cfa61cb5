-- Rolled-up field sums per snapshot date and member unit (a unit itself, its children, or all its units at one level), with denominator sources and reported/carried/expected counts.
-- The pages' on-the-fly rollup (grids, whose rows are their own; units above them are stored, rollups_refresh.sql);
-- the rows that count each day are the one rule of queries/shared/counting_window.sql, then:
-- * a row counts unless a deeper row under it is present that day (then those count instead: never twice), and a unit
--   with both is flagged (double_reported); sorted by num, "a deeper row exists" is "the next row falls in my range";
-- * a member sums the counting rows in [num, num + $member_span) at or below its own level;
-- * missing denominators come from the register row by row (own_* columns hold the member's own register entry).
with days as (
    select distinct snapshot_date as day from facts
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
    union
    select $date_to::date
),
{{> counting_window}}
marked as (
    select *,
        coalesce(lead(num) over (partition by day order by num) < num + case prefix_len
            when 2 then 10000000000000 when 4 then 100000000000 when 6 then 1000000000
            when 9 then 1000000 when 12 then 1000 else 1 end, false) as masked,
        num // $member_span * $member_span as member_num
    from counted
),
register as (
    select num, {{register_fields}}
    from population where current and num >= $lo and num < $hi
),
filled as (
    select m.*,
        {{register_fields: g.@ as reg_@}}
    from marked m left join register g using (num)
    where m.prefix_len >= $member_prefix_len
),
grouped as (
    select day, member_num,
        {{unregistered_fields: sum(@) filter (where not masked) as @}},
        {{register_fields: sum(coalesce(@, reg_@)) filter (where not masked) as @}},
        {{register_fields: count(@) filter (where not masked) as @_from_report,
            count(reg_@) filter (where not masked and @ is null) as @_from_register}},
        count(*) filter (where prefix_len = $expected_prefix_len and not carried) as reported,
        count(*) filter (where prefix_len = $expected_prefix_len and carried) as carried,
        count(*) filter (where masked and not carried) as double_reported,
        count(*) filter (where not masked) as rows_used,
        max(snapshot_date) filter (where not masked) as last_reported
    from filled
    group by all
),
members as (
    select num, code, name, level from units
    where active and num >= $lo and num < $hi and prefix_len = $member_prefix_len
      and ($parent_code::varchar is null or parent_code = $parent_code::varchar)
),
expected as (
    select num // $member_span * $member_span as member_num, count(*) as expected
    from units
    where active and prefix_len = $expected_prefix_len and num >= $lo and num < $hi
    group by all
),
final as (
    select d.day as snapshot_date, m.code, m.name, m.level, m.num,
        {{fields: g.@}}, {{register_fields: g.@_from_report, g.@_from_register}},
        g.reported, g.carried, g.double_reported, g.rows_used, g.last_reported,
        coalesce(e.expected, 0) as expected,
        {{register_fields: r.@ as own_@}}
    from members m
    cross join days d
    left join grouped g on g.member_num = m.num and g.day = d.day
    left join expected e on e.member_num = m.num
    left join register r on r.num = m.num
)
select * from final order by snapshot_date, num
