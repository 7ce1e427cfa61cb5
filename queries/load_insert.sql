-- Records one load (returns nothing).
insert into loads values (
    $load_id, $file_name, $sha256, $domain, $snapshot_date, $as_of_hour, $round, $level,
    $rows_accepted, $rows_rejected, now()::timestamp, $loaded_by, 'active')
