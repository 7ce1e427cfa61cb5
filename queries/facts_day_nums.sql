-- The nums of the domain's current rows ({{facts_table}}) on $snapshot_date, as stored (none on a date never loaded: a load then has nothing to displace).
with final as (
    select num from {{facts_table}} where domain = $domain and snapshot_date = $snapshot_date
)
select * from final
