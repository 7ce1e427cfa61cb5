-- For each row of the registered frame `incoming_codes` (line, code as text): the code trimmed, whether it is a well-formed 12/15-digit code, and the unit's num, level and prefix_len where it exists.
with incoming as (
    select line, regexp_replace(trim(code), '\.0+$', '') as code from incoming_codes
),
final as (
    select i.line, i.code, regexp_full_match(i.code, '\d{12}(\d{3})?') as well_formed,
           u.code is not null as known, u.num, u.level, u.prefix_len
    from incoming i left join units u on u.code = i.code
)
select * from final order by line
