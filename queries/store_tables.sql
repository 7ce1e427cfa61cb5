-- The names of the base tables in the store a reader's instance attaches as `store` (what Store._upgrade_once compares with queries/create_schema.sql).
with final as (
    select table_name from duckdb_tables() where database_name = 'store'
)
select * from final
