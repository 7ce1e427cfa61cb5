-- Renames one unit from a date, keeping its code, figures and earlier names (returns nothing).
update units set name = $name, updated_at = now()::timestamp where code = $code;
update unit_names set valid_to = $effective::date - 1 where code = $code and valid_to is null;
insert into unit_names values ($code, $name, $effective::date, null);
