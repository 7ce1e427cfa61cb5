-- Moves one domain of a store written when every row of every load was kept twice (all of them in `facts_history_<domain>`, named in {{old_history_table}}, the current ones again in {{facts_table}}) to one copy of each row: the rows that are not current become its noncurrent rows ({{noncurrent_table}}), the old table is dropped (returns nothing; run once, before create_schema.sql makes the views).
create table {{noncurrent_table}} as
with final as (
    select h.* from {{old_history_table}} h anti join {{facts_table}} f on f.load_id = h.load_id and f.num = h.num
)
select * from final order by snapshot_date, num, load_id;
drop table {{old_history_table}};
