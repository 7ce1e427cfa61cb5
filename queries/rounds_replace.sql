-- Sets the testing rounds of one county from the registered frame `incoming_rounds` (returns nothing).
delete from rounds where county_num = $county_num;
insert into rounds select $county_num, round, start_date from incoming_rounds order by round;
