-- Which layout upgrades a store written by an older version still needs, in the order they must run: `facts_split_by_domain` (its `facts` is one table for all domains, not the view over the domains' tables), then `facts_drop_stored_code` (a domain's table still stores `code`, which the views now derive from num).
with wide as (
    select 'facts_split_by_domain' as script, 1 as step
    from information_schema.tables where table_name = 'facts' and table_type = 'BASE TABLE'
),
stored_code as (
    select distinct 'facts_drop_stored_code' as script, 2 as step
    from information_schema.columns c
    join information_schema.tables t using (table_catalog, table_schema, table_name)
    where t.table_type = 'BASE TABLE' and c.column_name = 'code'
      and c.table_name in ({{domains: 'facts_@', 'facts_history_@'}})
),
final as (
    select * from wide union all select * from stored_code
)
select script from final order by step
