-- The reported rows (current facts) of a domain under a unit between two dates, with the register's denominators (reg_*); numbers only, ordered by unit and date.
-- Read by dashboard/quality.py, whose anomaly rules look at rows as delivered, before any rollup; names and file names
-- are looked up for the flagged rows only (a few, against tens of thousands of rows read).
with delivered as (
    select * exclude (domain, code) from facts
    where domain = $domain and num >= $lo and num < $hi
      and snapshot_date between $date_from::date and $date_to::date
),
register as (
    select num, {{register_fields: @ as reg_@}}
    from population
    where current and num >= $lo and num < $hi
),
final as (
    select d.*, {{register_fields: g.reg_@}}
    from delivered d
    left join register g on g.num = d.num
)
select * from final order by num, snapshot_date
