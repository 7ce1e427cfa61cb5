-- The columns of the base tables in the store (table_name, column_name), on a writer's connection or a reader's attached `store`: what store.missing_columns compares with the declarations.
with final as (
    select table_name, column_name from duckdb_columns()
    where database_name = coalesce($database::varchar, current_database()) and schema_name = 'main'
)
select * from final
