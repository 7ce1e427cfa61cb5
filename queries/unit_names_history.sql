-- The names a unit has had, oldest first, with the dates each was valid.
with final as (
    select code, name, valid_from, valid_to from unit_names where code = $code
)
select * from final order by valid_from nulls first
