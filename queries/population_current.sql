-- The current register entry of every unit that has one: code and the four register fields.
with final as (
    select code, resident_population, target_persons, target_population, households_total
    from population
    where current
)
select * from final order by code
