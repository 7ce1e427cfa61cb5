-- Every setting a county has changed: key, value (as text).
with final as (select key, value from settings)
select * from final order by key
