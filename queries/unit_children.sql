-- The direct children of a unit: code, num, name, level, ordered by code.
with final as (select code, num, name, level, prefix_len from units where parent_code = $code and active)
select * from final order by num
