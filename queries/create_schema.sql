-- Creates the store's tables if missing (returns nothing); see README "How it works".
create table if not exists meta (key varchar, value varchar);
create table if not exists units (
    code varchar, num bigint, name varchar, level varchar, prefix_len tinyint,
    parent_code varchar, active boolean, updated_at timestamp);
create table if not exists unit_names (code varchar, name varchar, valid_from date, valid_to date);
create table if not exists boundaries (code varchar, num bigint, level varchar, geometry blob, source varchar, loaded_at timestamp);
create table if not exists population (
    code varchar, num bigint, prefix_len tinyint, {{register_fields: @ bigint}},
    load_id integer, loaded_at timestamp, current boolean);
create table if not exists rounds (county_num bigint, round integer, start_date date);
create table if not exists settings (key varchar, value varchar);
create table if not exists loads (
    load_id integer, file_name varchar, sha256 varchar, domain varchar, snapshot_date date,
    as_of_hour smallint, round integer, level varchar, rows_accepted integer, rows_rejected integer,
    loaded_at timestamp, loaded_by varchar, status varchar);
-- One table per domain with only its own fields (an append of a 500,000-row day into a table with 19 field
-- columns, 16 of them empty, took twice as long: DuckDB compresses every column), and each row of every load is kept
-- once (issue 19): `facts_<domain>` holds the current rows, the ones the pages read; `facts_noncurrent_<domain>` the
-- rows that are not current (displaced by a later load, beaten by a later hour of the same day, or of a rolled-back
-- load), as SQL:2011 system-versioned tables keep a current table and a history of superseded versions. The views
-- `facts` (the current rows) and `facts_history` (every row of every load: current and noncurrent) give readers the
-- wide shape. A row's code is not stored: it is its num's digits (12 for a village or any unit above, 15 for a grid;
-- codes.num), and compressing 500,000 distinct code strings cost a load about 40 ms per table.
-- (each declared domain's tables: its fields from its declaration, in declared order)
{{domains lines: create table if not exists facts_@ (
    load_id integer, domain varchar, snapshot_date date, as_of_hour smallint, num bigint, prefix_len tinyint,
    round integer, {{fields_@: @ bigint}});}}
{{domains lines: create table if not exists facts_noncurrent_@ as select * from facts_@ limit 0;}}
-- the wide shape: the domains' columns side by side in declared order; `domain` as a literal, so a query's
-- `domain = $domain` skips the other domains' tables without reading them
create or replace macro unit_code(num, prefix_len) as left(lpad(num::varchar, 15, '0'), if(prefix_len > 12, 15, 12));
create or replace view facts as
{{domains union: select load_id, '@' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round) from facts_@}};
create or replace view facts_history as
{{domains union: select load_id, '@' as domain, snapshot_date, as_of_hour, num,
        unit_code(num, prefix_len) as code, prefix_len, round, * exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round)
    from (select * from facts_@ union all by name select * from facts_noncurrent_@)}};
create table if not exists load_events (load_id integer, action varchar, happened_at timestamp, by_user varchar);
create table if not exists rollups (
    domain varchar, snapshot_date date, num bigint, prefix_len tinyint,
    {{fields: @ bigint}},
    {{register_fields: @_from_report bigint, @_from_register bigint}},
    reported bigint, carried bigint, double_reported bigint, rows_used bigint, last_reported date,
    expected bigint, expected_prefix_len tinyint);
-- Villages' stored rollups apart from the units above them: a page above village level (a trend, a county's
-- townships) then scans 2,000 rows a day, not 52,000. And one table per domain with only the columns its rollups
-- fill (the key and counts, its own fields, the register's): a load's commit recompresses the last row group of its
-- domain's table, 28 columns for a testing day rather than 41, the other domains' fields always empty. The view
-- `village_rollups` gives readers the wide shape of `rollups`, `domain` as a literal per domain, so a query's
-- `domain = $domain` reads only its domain's table. Stores written before villages left `rollups` move them once
-- here (afterwards there is nothing to move); those with one wide `village_rollups` table are split by
-- village_rollups_split_by_domain.sql before this script runs.
{{domains lines: create table if not exists village_rollups_@ as select columns({{> village_rollup_columns}}) from rollups limit 0;}}
{{domains lines: insert into village_rollups_@ by name select columns({{> village_rollup_columns}}) from rollups where prefix_len = 12 and domain = '@';}}
delete from rollups where prefix_len = 12;
create or replace view village_rollups as
select domain, snapshot_date, num, prefix_len, {{fields}}, {{register_fields: @_from_report, @_from_register}},
    reported, carried, double_reported, rows_used, last_reported, expected, expected_prefix_len
from ({{domains union: select '@' as domain, * exclude (domain) from village_rollups_@}});
create table if not exists load_warnings (load_id integer, key varchar, line integer, column_name varchar, stated double, summed double);
-- What the stored rollups' refresh would otherwise recount on every load, kept with what it derives from (not in
-- backups: rebuilt on restore and on upgrade, dashboard/storage/stored_counts.py): for each unit at village level or
-- above (by num) and each level, the active units of that level under it (queries/subtree_units_rebuild.sql, on
-- every change of units); for each domain and date with current rows, the finest level reported
-- (queries/day_levels_refresh.sql, by every refresh of the date).
create table if not exists subtree_units (num bigint, prefix_len tinyint, units bigint);
create table if not exists day_levels (domain varchar, snapshot_date date, prefix_len tinyint);
