-- Which layout upgrades a store written by an older version still needs, in the order they must run (script, and the domain for a step run per domain): `facts_split_by_domain` (its `facts` is one table for all domains, not the view over the domains' tables), then `facts_drop_stored_code` (a domain's table still stores `code`, which the views now derive from num), then `facts_keep_once` per domain (a domain still keeps every row of every load in `facts_history_<domain>` beside its current rows), `village_rollups_split_by_domain` (its villages' rollups are one table for all domains, not the view over the domains' tables); a step can make a later one due, so the caller asks again after each.
with wide as (
    select 'facts_split_by_domain' as script, null::varchar as domain, 1 as step
    from information_schema.tables where table_name = 'facts' and table_type = 'BASE TABLE'
),
stored_code as (
    select distinct 'facts_drop_stored_code' as script, null::varchar as domain, 2 as step
    from information_schema.columns c
    join information_schema.tables t using (table_catalog, table_schema, table_name)
    where t.table_type = 'BASE TABLE' and c.column_name = 'code'
      and c.table_name in ({{domains: 'facts_@', 'facts_history_@'}})
),
every_row_twice as (
    select distinct 'facts_keep_once' as script, replace(table_name, 'facts_history_', '') as domain, 3 as step
    from information_schema.tables
    where table_type = 'BASE TABLE' and table_name in ({{domains: 'facts_history_@'}})
),
wide_villages as (
    select 'village_rollups_split_by_domain' as script, null::varchar as domain, 4 as step
    from information_schema.tables where table_name = 'village_rollups' and table_type = 'BASE TABLE'
),
final as (
    select * from wide union all select * from stored_code union all select * from every_row_twice
    union all select * from wide_villages
)
select script, domain from final order by step, domain
