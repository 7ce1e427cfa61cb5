-- Keeps a load's warnings that later checks need (e.g. a total row that disagreed with its rows) from the registered frame `incoming_warnings` (returns nothing).
insert into load_warnings by name select * from incoming_warnings
