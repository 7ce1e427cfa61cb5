-- How many units the store holds.
with final as (select count(*) as units from units)
select * from final
