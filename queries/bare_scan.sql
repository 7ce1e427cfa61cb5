-- The baseline for the benchmark: a bare sum over the same rows a rollup reads (one domain, dates, a unit's num range).
with rows as (
    select sampled, resident_population from facts
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date and num >= $lo and num < $hi
),
final as (select sum(sampled) as sampled, sum(resident_population) as resident_population, count(*) as rows from rows)
select * from final
