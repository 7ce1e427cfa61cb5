-- Recomputes the current rows of one domain and date for the units in `touched_nums` (after a rollback or restore) from every row of its loads, moving rows between the domain's current rows ({{facts_table}}) and its noncurrent rows ({{noncurrent_table}}); returns nothing.
-- Winner per unit: the latest as-of hour (no hour = end of day), then the latest load; rolled-back loads never win.
-- Every row of the touched units is first set aside, then the winners come back: no row is copied, none is lost
-- (by name: the two tables' columns are the same, their order need not be).
insert into {{noncurrent_table}} by name
select * from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date and num in (select num from touched_nums);
delete from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date and num in (select num from touched_nums);
insert into {{facts_table}} by name
with candidates as (
    select n.*
    from {{noncurrent_table}} n
    join loads l using (load_id)
    where n.domain = $domain and n.snapshot_date = $snapshot_date
      and l.status <> 'rolled_back'
      and n.num in (select num from touched_nums)
),
final as (
    select * from candidates
    qualify row_number() over (partition by num order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by num;
delete from {{noncurrent_table}} n
using {{facts_table}} f
where n.domain = $domain and n.snapshot_date = $snapshot_date
  and f.domain = $domain and f.snapshot_date = $snapshot_date
  and n.num = f.num and n.load_id = f.load_id
  and n.num in (select num from touched_nums);
