-- The number of rows in one Parquet file of a backup: rows.
with final as (select count(*) as rows from read_parquet($path))
select * from final
