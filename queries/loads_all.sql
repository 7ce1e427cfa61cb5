-- Every load, newest first: file, hash, domain, date, as-of hour, round, level, rows, when, by whom, status.
with final as (select * from loads)
select * from final order by load_id desc
