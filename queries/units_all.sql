-- Every unit in the store: code, num, name, level, prefix_len, parent_code, active; ordered by num.
with final as (
    select code, num, name, level, prefix_len, parent_code, active
    from units
)
select * from final order by num
