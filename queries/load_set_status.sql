-- Marks one load rolled back or active again (returns nothing); current rows are refreshed separately.
update loads set status = $status where load_id = $load_id
