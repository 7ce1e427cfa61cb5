-- The id the next load gets.
select coalesce(max(load_id), 0) + 1 as load_id from loads
