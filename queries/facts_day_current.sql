-- Whether the domain's current rows ({{facts_table}}) hold any row of $snapshot_date: one row, `present` (a load of a new day then has nothing to displace).
with final as (
    select exists (select 1 from {{facts_table}} where domain = $domain and snapshot_date = $snapshot_date) as present
)
select * from final
