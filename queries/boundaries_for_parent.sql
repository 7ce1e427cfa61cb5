-- The WKB geometry of a unit's children (or of every unit at $level in the unit's subtree when $level is given).
with final as (
    select b.code, b.num, b.level, b.geometry
    from boundaries b join units u using (code)
    where u.active and b.num >= $lo and b.num < $hi
      and (($level is null and u.parent_code = $code) or b.level = $level)
)
select * from final order by num
