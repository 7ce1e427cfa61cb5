-- Appends one load's rows (the registered Arrow table `incoming_rows`, sorted by num; the load's own columns are parameters, stored as constants) to its domain's full history of reported rows, the table named in {{history_table}} (returns nothing).
insert into {{history_table}} by name
select $load_id::integer as load_id, $domain::varchar as domain, $snapshot_date::date as snapshot_date,
    $as_of_hour::smallint as as_of_hour, i.*
from incoming_rows i
