-- Retires a unit (撤销) from a date: inactive from then on, its figures and names kept (returns nothing).
update units set active = false, updated_at = now()::timestamp where code = $code;
update unit_names set valid_to = $effective::date - 1 where code = $code and valid_to is null;
