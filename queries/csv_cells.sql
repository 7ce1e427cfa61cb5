-- Every cell of a plain CSV file as text (no quotes, one line ending, all lines as wide as $columns says), in file order.
with final as (
    select * from read_csv($path, header = false, all_varchar = true, delim = $delim, quote = '', escape = '',
                           auto_detect = false, columns = $columns, strict_mode = true)
)
select * from final
