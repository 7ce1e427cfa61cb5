-- Before a load's rows are stored, when it holds every unit with a current row on its date (a whole day sent again): the current rows it displaces move from {{facts_table}} to {{noncurrent_table}}, as queries/facts_displace.sql moves them, without matching each row to the load's units (returns nothing).
-- Why a script of its own: the match (a semi join of the date's 485,000 rows with the load's, twice) was 70 ms of
-- a province correction's CPU, and the caller already knows its answer (ingest._covers).
insert into {{noncurrent_table}} by name
select * from {{facts_table}}
where {{> displaced_rows}};
delete from {{facts_table}}
where {{> displaced_rows}};
