-- Every login, logout and account change, newest first: happened_at, user_name, action, detail.
with final as (select * from access_events)
select * from final order by happened_at desc
