-- Replaces the geometry of every unit in the registered frame `incoming_boundaries` (returns nothing).
delete from boundaries where code in (select code from incoming_boundaries);
insert into boundaries select code, num, level, geometry, source, now()::timestamp from incoming_boundaries order by num;
