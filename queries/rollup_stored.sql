-- Stored rollup rows (see rollups_refresh.sql) of one domain in [$date_from, $date_to] for the units above grid level in a unit's num range down to $member_prefix_len, with only the rollup columns listed in {{columns}} (names from rollup.ROLLUP_COLUMNS): one plain scan of each stored table; rollup.py joins them to the member units.
with above_villages as (
    -- the filters prune the scan itself (rows are clustered by domain, snapshot_date, num)
    select snapshot_date, num, {{columns}} from rollups
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
      and num >= $lo and num < $hi and prefix_len <= $member_prefix_len
),
villages as (
    -- every row here has prefix_len 12: above village level the filter skips the whole table
    select snapshot_date, num, {{columns}} from village_rollups
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
      and num >= $lo and num < $hi and prefix_len <= $member_prefix_len
),
final as (
    select * from above_villages
    union all
    select * from villages
)
select * from final
