-- Recomputes the current rows of one domain and date for the units in `touched_nums` from its history (the domain's tables named in {{facts_table}} and {{history_table}}; returns nothing).
-- Winner per unit: the latest as-of hour (no hour = end of day), then the latest load; rolled-back loads never win.
delete from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date and num in (select num from touched_nums);
insert into {{facts_table}}
with candidates as (
    select h.*
    from {{history_table}} h
    join loads l using (load_id)
    where h.domain = $domain and h.snapshot_date = $snapshot_date
      and l.status <> 'rolled_back'
      and h.num in (select num from touched_nums)
),
final as (
    select * from candidates
    qualify row_number() over (partition by num order by coalesce(as_of_hour, 24) desc, load_id desc) = 1
)
select * from final order by num;
