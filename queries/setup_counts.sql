-- How far a county's setup has come: units, units with a boundary, register entries and report loads in the store.
with final as (
    select (select count(*) from units) as units,
           (select count(*) from boundaries) as boundaries,
           (select count(*) from population where current) as register,
           (select count(*) from loads) as reports
)
select * from final
