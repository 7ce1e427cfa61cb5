-- The benchmark's pandas baseline input: every current row of one domain (date, num, level, counts).
with final as (
    select snapshot_date, num, prefix_len, sampled, resident_population, target_persons from facts where domain = $domain
)
select * from final
