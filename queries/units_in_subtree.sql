-- The active units at one level inside a unit's subtree (e.g. the villages of a township), ordered by code.
with final as (
    select code, num, name, level, parent_code from units
    where active and num >= $lo and num < $hi and prefix_len = $prefix_len
)
select * from final order by num
