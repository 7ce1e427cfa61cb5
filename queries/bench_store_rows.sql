-- The rows a store keeps: every row of every load (loaded_rows) and the current ones (current_rows), for the benchmark's bytes per row.
with loaded as (
    select count(*) as loaded_rows from facts_history
),
current_rows as (
    select count(*) as current_rows from facts
),
final as (
    select loaded_rows, current_rows from loaded, current_rows
)
select * from final
