-- Records many loads at once from the registered frame `incoming_loads` (returns nothing).
insert into loads by name select *, now()::timestamp as loaded_at, 'active' as status from incoming_loads
