-- Total rows (合计/总计) that disagreed with the sum of their file's rows, for loads of a domain in a date range whose rows lie under a unit: the load, its date, the column, both figures, and the span of codes the file covered.
with warnings as (
    select w.*, l.snapshot_date, l.file_name from load_warnings w join loads l using (load_id)
    where w.key = 'warn_total_mismatch' and l.domain = $domain and l.status <> 'rolled_back'
      and l.snapshot_date between $date_from::date and $date_to::date
),
spans as (
    select load_id, min(code) as first_code, max(code) as last_code, min(num) as first_num
    from facts_history where load_id in (select load_id from warnings) group by load_id
),
final as (
    select w.load_id, w.snapshot_date, w.file_name, w.line, w.column_name, w.stated, w.summed,
           s.first_code, s.last_code
    from warnings w join spans s using (load_id)
    where s.first_num >= $lo and s.first_num < $hi
)
select * from final order by snapshot_date, load_id, line
