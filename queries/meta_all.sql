-- The store's metadata: key, value (e.g. whether it holds the demo county).
with final as (select key, value from meta)
select * from final order by key
