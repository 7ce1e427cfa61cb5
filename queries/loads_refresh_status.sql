-- Marks the loads of one domain and date active while any of their rows is current, else superseded (returns nothing).
update loads set status = case
        when exists (select 1 from facts f
                     where f.domain = $domain and f.snapshot_date = $snapshot_date and f.load_id = loads.load_id)
        then 'active'
        else 'superseded' end
where domain = $domain and snapshot_date = $snapshot_date and status in ('active', 'superseded')
