-- shared: the rows that count on each day, for rollup.sql (grids, on the fly) and rollups_refresh.sql (the stored rollups).
-- Needs a `days(day)` CTE before it and $domain, $date_from, $date_to, $carry_days, $lo, $hi (the units asked for:
-- nums in [$lo, $hi)). Gives `counted`: each unit's row that counts that day, with the day and whether it is carried:
-- * a unit's own row of the day always counts (it is the latest, and of the running round by definition);
-- * else its latest row of the previous $carry_days days, testing rows only from the round running in its county
--   that day: the round set to have started, or a later one that the county's reports of the day name (the whole
--   county's reports, whatever part of it is asked for).
todays as (
    select d.day, f.num, f.prefix_len, f.snapshot_date, f.round
    from days d join facts f on f.domain = $domain and f.snapshot_date = d.day
    where f.num >= $lo and f.num < $hi
),
older as (
    -- rows of the carry-forward window before the day, of units without a row that day (narrow keys only)
    select w.day, f.num, f.prefix_len, f.snapshot_date, f.round, f.num // 1000000000 * 1000000000 as county_num
    from (select d.day, d.day - k::integer as source_day from days d, range(1, $carry_days::integer + 1) r(k)) w
    join facts f on f.domain = $domain and f.snapshot_date = w.source_day  -- an equi-join: no range join to sort
    anti join todays t on t.day = w.day and t.num = f.num
    where f.num >= $lo and f.num < $hi
),
set_round as (
    select d.day, r.county_num, arg_max(r.round, r.start_date) as round
    from days d join rounds r on r.start_date <= d.day
    group by all
),
reported_round as (
    select d.day, f.num // 1000000000 * 1000000000 as county_num, max(f.round) as round
    from days d join facts f on f.domain = $domain and f.snapshot_date = d.day
    where f.num >= $lo // 1000000000 * 1000000000
      and f.num < greatest($hi, $lo // 1000000000 * 1000000000 + 1000000000)
    group by all
),
carried_keys as (
    -- each silent unit's latest row in the window (facts hold one row per domain, date and unit)
    select o.day, o.num, any_value(o.prefix_len) as prefix_len, max(o.snapshot_date) as snapshot_date
    from older o
    left join set_round s on s.day = o.day and s.county_num = o.county_num
    left join reported_round r on r.day = o.day and r.county_num = o.county_num
    where o.round is null or o.round = greatest(coalesce(s.round, 1), coalesce(r.round, 0))
    group by o.day, o.num
),
counted as (
    select d.day, f.*, false as carried
    from days d join facts f on f.domain = $domain and f.snapshot_date = d.day
    where f.num >= $lo and f.num < $hi
    union all
    select c.day, f.*, true as carried
    from carried_keys c
    join facts f
      on f.domain = $domain and f.num = c.num and f.snapshot_date = c.snapshot_date
     and f.snapshot_date between $date_from::date - $carry_days::integer and $date_to::date - 1
),
