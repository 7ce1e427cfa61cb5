-- Before a load's rows are stored (queries/facts_apply_load.sql), on a date that already has current rows in the domain: the current rows the load displaces, of its units (the registered `incoming_rows`), move from {{facts_table}} to {{noncurrent_table}} (returns nothing).
-- A new day has no current row to displace: the caller skips this script (facts_day_nums.sql), which spares it two
-- hash joins of the load's 500,000 nums against nothing; a load that holds every unit with a current row on the
-- date runs facts_displace_day.sql, the same without the join.
insert into {{noncurrent_table}} by name
select * from {{facts_table}}
where {{> displaced_rows}}
  and num in (select num from incoming_rows);
delete from {{facts_table}}
where {{> displaced_rows}}
  and num in (select num from incoming_rows);
