-- Sets the start date of one testing round in one county (returns nothing).
delete from rounds where county_num = $county_num and round = $round;
insert into rounds values ($county_num, $round, $start_date);
