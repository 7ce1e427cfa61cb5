-- The load (id, status) that already holds this exact file for this domain and date, if any.
with final as (
    select load_id, status from loads
    where sha256 = $sha256 and domain = $domain and snapshot_date = $snapshot_date
)
select * from final order by load_id desc limit 1
