-- The units at the top of the store's hierarchy (no parent): usually one county.
with final as (select code, num, name, level from units where parent_code is null and active)
select * from final order by num
