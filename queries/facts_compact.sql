-- Rewrites the current rows and the history clustered by (domain, snapshot_date, num) (returns nothing).
create or replace table facts as select * from facts order by domain, snapshot_date, num;
create or replace table facts_history as select * from facts_history order by domain, snapshot_date, num, load_id;
