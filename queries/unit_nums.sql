-- Every unit's num and prefix_len (a num is one unit's: a grid's never ends in 000), as stored (in num order).
with final as (select num, prefix_len from units)
select * from final
