-- Creates the store's tables if missing (returns nothing); see README "How it works".
create table if not exists meta (key varchar, value varchar);
create table if not exists units (
    code varchar, num bigint, name varchar, level varchar, prefix_len tinyint,
    parent_code varchar, active boolean, updated_at timestamp);
create table if not exists unit_names (code varchar, name varchar, valid_from date, valid_to date);
create table if not exists boundaries (code varchar, num bigint, level varchar, geometry blob, source varchar, loaded_at timestamp);
create table if not exists population (
    code varchar, num bigint, prefix_len tinyint, resident_population bigint, target_persons bigint,
    target_population bigint, households_total bigint, load_id integer, loaded_at timestamp, current boolean);
create table if not exists rounds (county_num bigint, round integer, start_date date);
create table if not exists settings (key varchar, value varchar);
create table if not exists loads (
    load_id integer, file_name varchar, sha256 varchar, domain varchar, snapshot_date date,
    as_of_hour smallint, round integer, level varchar, rows_accepted integer, rows_rejected integer,
    loaded_at timestamp, loaded_by varchar, status varchar);
-- One table per domain with only its own fields (an append of a 500,000-row day into a table with 19 field
-- columns, 16 of them empty, took twice as long: DuckDB compresses every column); `facts_history` (every row
-- of every load) and `facts` (the current rows) are views over them in the wide shape every reader uses. A row's
-- code is not stored: it is its num's digits (12 for a village or any unit above, 15 for a grid; codes.num), and
-- compressing 500,000 distinct code strings cost a load about 40 ms per table.
create table if not exists facts_history_screening (
    load_id integer, domain varchar, snapshot_date date, as_of_hour smallint, num bigint, prefix_len tinyint,
    round integer,
    households_total bigint,
    households_checked bigint,
    persons_checked bigint,
    returnees bigint,
    risk_area_returnees bigint,
    home_isolation bigint,
    central_isolation bigint,
    health_monitoring bigint);
create table if not exists facts_history_testing (
    load_id integer, domain varchar, snapshot_date date, as_of_hour smallint, num bigint, prefix_len tinyint,
    round integer,
    resident_population bigint,
    target_persons bigint,
    sampled bigint,
    tested bigint,
    positives bigint,
    sampling_sites bigint,
    sampling_staff bigint);
create table if not exists facts_history_vaccination (
    load_id integer, domain varchar, snapshot_date date, as_of_hour smallint, num bigint, prefix_len tinyint,
    round integer,
    target_population bigint,
    dose1 bigint,
    full_course bigint,
    booster bigint);
create table if not exists facts_screening as select * from facts_history_screening limit 0;
create table if not exists facts_testing as select * from facts_history_testing limit 0;
create table if not exists facts_vaccination as select * from facts_history_vaccination limit 0;
-- the wide shape: the domains' columns side by side in the order screening, testing, vaccination; `domain` as a
-- literal, so a query's `domain = $domain` skips the other domains' tables without reading them
create or replace macro unit_code(num, prefix_len) as left(lpad(num::varchar, 15, '0'), if(prefix_len > 12, 15, 12));
create or replace view facts_history as
    select load_id, 'screening' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round) from facts_history_screening
    union all by name
    select load_id, 'testing' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round) from facts_history_testing
    union all by name
    select load_id, 'vaccination' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round) from facts_history_vaccination;
create or replace view facts as
    select load_id, 'screening' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round) from facts_screening
    union all by name
    select load_id, 'testing' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round) from facts_testing
    union all by name
    select load_id, 'vaccination' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round) from facts_vaccination;
create table if not exists load_events (load_id integer, action varchar, happened_at timestamp, by_user varchar);
create table if not exists rollups (
    domain varchar, snapshot_date date, num bigint, prefix_len tinyint,
    households_total bigint, households_checked bigint, persons_checked bigint, returnees bigint,
    risk_area_returnees bigint, home_isolation bigint, central_isolation bigint, health_monitoring bigint,
    resident_population bigint, target_persons bigint, sampled bigint, tested bigint, positives bigint,
    sampling_sites bigint, sampling_staff bigint,
    target_population bigint, dose1 bigint, full_course bigint, booster bigint,
    resident_population_from_report bigint, resident_population_from_register bigint,
    target_persons_from_report bigint, target_persons_from_register bigint,
    target_population_from_report bigint, target_population_from_register bigint,
    households_total_from_report bigint, households_total_from_register bigint,
    reported bigint, carried bigint, double_reported bigint, rows_used bigint, last_reported date,
    expected bigint, expected_prefix_len tinyint);
-- Villages' stored rollups apart from the units above them: a page above village level (a trend, a county's
-- townships) then scans 2,000 rows a day, not 52,000. Stores written before the split kept villages in `rollups`:
-- they move once (afterwards there is nothing to move).
create table if not exists village_rollups as select * from rollups limit 0;
insert into village_rollups select * from rollups where prefix_len = 12;
delete from rollups where prefix_len = 12;
create table if not exists load_warnings (load_id integer, key varchar, line integer, column_name varchar, stated double, summed double);
