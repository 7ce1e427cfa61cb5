-- Before a load's rows are stored (queries/facts_apply_load.sql), on a date that already has current rows in the domain: the current rows the load displaces move from {{facts_table}} to {{noncurrent_table}} (returns nothing).
-- The same winner rule as facts_refresh.sql (latest as-of hour, no hour = end of day, then latest load), applied
-- incrementally: the new load has the highest id, so it displaces a unit's current row unless that row has a later
-- hour. A new day has no current row to displace: the caller skips this script (facts_day_current.sql), which spares
-- it two hash joins of the load's 500,000 nums against nothing.
insert into {{noncurrent_table}} by name
select * from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date
  and num in (select num from incoming_rows)
  and coalesce(as_of_hour, 24) <= coalesce($as_of_hour::smallint, 24);
delete from {{facts_table}}
where domain = $domain and snapshot_date = $snapshot_date
  and num in (select num from incoming_rows)
  and coalesce(as_of_hour, 24) <= coalesce($as_of_hour::smallint, 24);
