-- Rebuilds every current row from the history, clustered by (snapshot_date, num), history re-sorted, and refreshes load statuses (returns nothing).
create or replace table facts_screening as
with candidates as (
    select h.* from facts_history_screening h join loads l using (load_id) where l.status <> 'rolled_back'
),
final as (
    select * from candidates
    qualify row_number() over (partition by snapshot_date, num order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by snapshot_date, num;
create or replace table facts_history_screening as select * from facts_history_screening order by snapshot_date, num, load_id;
create or replace table facts_testing as
with candidates as (
    select h.* from facts_history_testing h join loads l using (load_id) where l.status <> 'rolled_back'
),
final as (
    select * from candidates
    qualify row_number() over (partition by snapshot_date, num order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by snapshot_date, num;
create or replace table facts_history_testing as select * from facts_history_testing order by snapshot_date, num, load_id;
create or replace table facts_vaccination as
with candidates as (
    select h.* from facts_history_vaccination h join loads l using (load_id) where l.status <> 'rolled_back'
),
final as (
    select * from candidates
    qualify row_number() over (partition by snapshot_date, num order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by snapshot_date, num;
create or replace table facts_history_vaccination as select * from facts_history_vaccination order by snapshot_date, num, load_id;
update loads set status = case
        when exists (select 1 from facts f where f.load_id = loads.load_id) then 'active' else 'superseded' end
where status in ('active', 'superseded');
