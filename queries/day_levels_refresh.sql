-- Recomputes the stored finest level reported (`day_levels`) of one domain on each date in [$date_from, $date_to] from its current rows (returns nothing); a date without rows keeps no level.
delete from day_levels where domain = $domain and snapshot_date between $date_from::date and $date_to::date;
insert into day_levels by name
select $domain as domain, snapshot_date, max(prefix_len) as prefix_len from facts
where domain = $domain and snapshot_date between $date_from::date and $date_to::date
group by snapshot_date;
