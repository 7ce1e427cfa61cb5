-- Marks every load active while any of its rows is current, else superseded (rolled-back loads stay so); returns nothing.
update loads set status = case
        when exists (select 1 from facts f where f.load_id = loads.load_id) then 'active' else 'superseded' end
where status in ('active', 'superseded')
