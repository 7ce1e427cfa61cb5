-- The number of rows of one store table, named by a value the caller took from the schema's table list: rows.
with final as (select count(*) as rows from query_table($table_name))
select * from final
