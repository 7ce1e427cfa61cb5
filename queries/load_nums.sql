-- The units (num) a load reported, with its domain and date: what a rollback or restore must refresh.
with final as (
    select distinct h.num, l.domain, l.snapshot_date
    from facts_history h join loads l using (load_id)
    where h.load_id = $load_id
)
select * from final order by num
