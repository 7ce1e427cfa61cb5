-- Every recorded action on loads, newest first: load_id, action, happened_at, by_user.
with final as (select * from load_events)
select * from final order by happened_at desc, load_id desc
