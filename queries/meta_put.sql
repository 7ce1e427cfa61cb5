-- Sets one key of the store's metadata, e.g. demo=true (returns nothing).
delete from meta where key = $key;
insert into meta values ($key, $value);
