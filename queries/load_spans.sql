-- Per load: the lowest and highest unit num among its rows (which units a load touched, for access scopes).
with final as (
    select load_id, min(num) as lo, max(num) as hi from facts_history group by load_id
)
select * from final order by load_id
