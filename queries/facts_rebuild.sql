-- Rebuilds one domain's current rows from its history, clustered by (snapshot_date, num), and re-sorts the history (the domain's tables named in {{facts_table}} and {{history_table}}; returns nothing).
create or replace table {{facts_table}} as
with candidates as (
    select h.* from {{history_table}} h join loads l using (load_id) where l.status <> 'rolled_back'
),
final as (
    select * from candidates
    qualify row_number() over (partition by snapshot_date, num order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by snapshot_date, num;
create or replace table {{history_table}} as select * from {{history_table}} order by snapshot_date, num, load_id;
