-- The current register entry of every unit that has one: code and the register fields (those declared `register`).
with final as (
    select code, {{register_fields}}
    from population
    where current
)
select * from final order by code
