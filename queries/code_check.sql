-- For each row of the registered table `incoming_codes` (line, code as text): whether its code (trimmed, a trailing .0 dropped) is a well-formed 12/15-digit code, whether it is a unit, that unit's num and prefix_len, and the cleaned code where it differs from the text given (null where the text is already a unit's code); by line.
with matched as (
    -- most rows are a unit's code as given: one join, no string work
    select i.line, i.code, u.num, u.prefix_len from incoming_codes i left join units u on u.code = i.code
),
cleaned as (
    select line, regexp_replace(trim(code), '\.0+$', '') as code from matched where num is null
),
rematched as (
    select c.line, c.code, regexp_full_match(c.code, '\d{12}(\d{3})?') as well_formed, u.num, u.prefix_len
    from cleaned c left join units u on u.code = c.code
),
final as (
    select line, null::varchar as code, true as well_formed, true as known, num, prefix_len
    from matched where num is not null
    union all
    select line, code, well_formed, num is not null as known, num, prefix_len from rematched
)
select * from final order by line
