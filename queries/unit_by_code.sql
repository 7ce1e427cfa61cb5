-- One unit with its level and parent, or nothing.
with final as (select code, num, name, level, prefix_len, parent_code, active from units where code = $code)
select * from final
