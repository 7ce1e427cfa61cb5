-- Empties the layout floor's table before each of its runs, off the clock: each run stores the file into an empty table (returns nothing).
delete from {{facts_table}};
