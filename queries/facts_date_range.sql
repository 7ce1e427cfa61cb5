-- The first and last snapshot date with data in each domain.
with final as (select domain, min(snapshot_date) as first_date, max(snapshot_date) as last_date from facts group by domain)
select * from final order by domain
