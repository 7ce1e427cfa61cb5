-- The benchmark's pandas baseline input: every current row of one domain (date, num, level, the counts named in {{counts}}).
with final as (
    select snapshot_date, num, prefix_len, {{counts}} from facts where domain = $domain
)
select * from final
