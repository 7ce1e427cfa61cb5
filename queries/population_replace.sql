-- Makes the registered frame `incoming_population` the current register for its units, keeping older entries (returns nothing).
update population set current = false where code in (select code from incoming_population);
insert into population by name
select code, num, prefix_len, {{register_fields}},
       $load_id as load_id, now()::timestamp as loaded_at, true as current
from incoming_population order by num;
