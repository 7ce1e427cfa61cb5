-- Stored rollup rows (see rollups_refresh.sql) of one domain in [$date_from, $date_to] for the units above grid level in a unit's num range down to $member_prefix_len, with only the rollup columns listed in {{columns}} (names from rollup.ROLLUP_COLUMNS): one plain scan; rollup.py joins them to the member units.
with stored as (
    -- the filters prune the scan itself (rows are clustered by domain, snapshot_date, num)
    select snapshot_date, num, {{columns}} from rollups
    where domain = $domain and snapshot_date between $date_from::date and $date_to::date
      and num >= $lo and num < $hi and prefix_len <= $member_prefix_len
),
final as (select * from stored)
select * from final
