-- One load's record.
with final as (select * from loads where load_id = $load_id)
select * from final
