-- The codes of every unit that has a stored geometry.
with final as (select code from boundaries)
select * from final order by code
