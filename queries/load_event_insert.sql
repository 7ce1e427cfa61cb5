-- Records what happened to a load and who did it: loaded, rolled_back, restored (returns nothing).
insert into load_events values ($load_id, $action, now()::timestamp, $by_user)
