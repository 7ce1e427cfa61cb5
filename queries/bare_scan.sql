-- The baseline for the benchmark: a bare sum of the counts named in {{counts}} over the same rows a rollup reads (one domain, dates, a unit's num range).
with rows as (
    select {{counts}} from facts
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date and num >= $lo and num < $hi
),
final as (select {{counts: sum(@) as @}}, count(*) as rows from rows)
select * from final
