-- Every data row of a canonical CSV ($path: a header line, then only digits, commas and line ends; $columns names its columns c0, c1, … as VARCHAR), in file order: the code as written ({{code}}), its length and num (null unless 12 or 15 digits), and each count ({{counts}}) as a bigint where it has at most 10 digits (else null: the caller then leaves the file to the general reader).
with cells as (
    select * from read_csv($path, header = false, skip = 1, all_varchar = true, delim = ',', quote = '', escape = '',
                           auto_detect = false, columns = $columns, strict_mode = true)
),
final as (
    select {{code}} as code, length({{code}})::tinyint as code_len,
        case length({{code}}) when 12 then {{code}}::bigint * 1000 when 15 then {{code}}::bigint end as num,
        {{counts: case when length(@) <= 10 then @::bigint end as @}}
    from cells
)
select * from final
