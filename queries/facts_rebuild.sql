-- Rebuilds every current row from the history, clustered by (domain, snapshot_date, num), and refreshes load statuses (returns nothing).
create or replace table facts as
with candidates as (
    select h.* from facts_history h join loads l using (load_id) where l.status <> 'rolled_back'
),
final as (
    select * from candidates
    qualify row_number() over (partition by domain, snapshot_date, num
                               order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by domain, snapshot_date, num;
create or replace table facts_history as select * from facts_history order by domain, snapshot_date, num, load_id;
update loads set status = case
        when exists (select 1 from facts f where f.load_id = loads.load_id) then 'active' else 'superseded' end
where status in ('active', 'superseded');
