-- The member units of a stored rollup, ordered by num: a unit's active units of one level in its num range (only the children of $parent_code when given), and the unit itself when $unit_num is given, each with its own current register entry (own_*). A lookup, remembered per store version.
with members as (
    select num, code, name, level from units
    where active and num >= $lo and num < $hi and prefix_len <= $member_prefix_len
      and (prefix_len = $member_prefix_len and ($parent_code::varchar is null or parent_code = $parent_code::varchar)
           or num = $unit_num::bigint)
),
register as (
    select num, {{register_fields}}
    from population where current and num >= $lo and num < $hi
),
final as (
    select m.code, m.name, m.level, m.num,
        {{register_fields: p.@ as own_@}}
    from members m left join register p on p.num = m.num
)
select * from final order by num
