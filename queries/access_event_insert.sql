-- Records one login, logout or account change with the user (returns nothing).
insert into access_events values (now()::timestamp, $user_name, $action, $detail)
