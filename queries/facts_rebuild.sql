-- Rebuilds one domain's current rows ({{facts_table}}) and noncurrent rows ({{noncurrent_table}}) from every row of its loads, each clustered by (snapshot_date, num); returns nothing.
-- Winner per unit and date: the latest as-of hour (no hour = end of day), then the latest load; rolled-back loads
-- never win. Every row stays in exactly one of the two tables.
create or replace temp table rebuilt_rows as
select * from {{facts_table}} union all by name select * from {{noncurrent_table}};
create or replace table {{facts_table}} as
with candidates as (
    select r.* from rebuilt_rows r join loads l using (load_id) where l.status <> 'rolled_back'
),
final as (
    select * from candidates
    qualify row_number() over (partition by snapshot_date, num order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by snapshot_date, num;
create or replace table {{noncurrent_table}} as
with final as (
    select r.* from rebuilt_rows r anti join {{facts_table}} f on f.load_id = r.load_id and f.num = r.num
)
select * from final order by snapshot_date, num, load_id;
drop table rebuilt_rows;
