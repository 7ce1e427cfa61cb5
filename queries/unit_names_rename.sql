-- Closes the current name of each renamed unit in `renamed_units` and opens the new one (returns nothing).
update unit_names set valid_to = r.effective - 1
from renamed_units r
where unit_names.code = r.code and unit_names.valid_to is null;
insert into unit_names select code, name, effective, null from renamed_units;
