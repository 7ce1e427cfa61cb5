-- shared: the condition on a domain's current rows of $snapshot_date that a new load of $as_of_hour displaces (for facts_displace.sql and facts_displace_day.sql).
-- The same winner rule as facts_refresh.sql (latest as-of hour, no hour = end of day, then latest load), applied
-- incrementally: the new load has the highest id, so it displaces a unit's current row unless that row has a later hour.
domain = $domain and snapshot_date = $snapshot_date
  and coalesce(as_of_hour, 24) <= coalesce($as_of_hour::smallint, 24)
