-- Replaces the unit table with the registered frame `incoming_units` (returns nothing).
delete from units;
insert into units
select code, num, name, level, prefix_len, parent_code, active, now()::timestamp
from incoming_units order by num;
