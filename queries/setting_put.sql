-- Sets one setting (returns nothing).
delete from settings where key = $key;
insert into settings values ($key, $value);
