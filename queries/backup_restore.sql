-- Fills a new store's empty tables from a backup's Parquet files (returns nothing); one $<table> path per table (dashboard/backup.py checks they are exactly the schema's tables).
insert into meta by name select * from read_parquet($meta);
insert into units by name select * from read_parquet($units);
insert into unit_names by name select * from read_parquet($unit_names);
insert into boundaries by name select * from read_parquet($boundaries);
insert into population by name select * from read_parquet($population);
insert into rounds by name select * from read_parquet($rounds);
insert into settings by name select * from read_parquet($settings);
insert into loads by name select * from read_parquet($loads);
-- an older backup has one wide facts (and facts_history) file for all domains: each domain's table is given it
insert into facts_history_screening by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, households_total, households_checked, persons_checked, returnees, risk_area_returnees, home_isolation, central_isolation, health_monitoring from read_parquet($facts_history_screening) where domain = 'screening';
insert into facts_history_testing by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, resident_population, target_persons, sampled, tested, positives, sampling_sites, sampling_staff from read_parquet($facts_history_testing) where domain = 'testing';
insert into facts_history_vaccination by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, target_population, dose1, full_course, booster from read_parquet($facts_history_vaccination) where domain = 'vaccination';
insert into facts_screening by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, households_total, households_checked, persons_checked, returnees, risk_area_returnees, home_isolation, central_isolation, health_monitoring from read_parquet($facts_screening) where domain = 'screening';
insert into facts_testing by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, resident_population, target_persons, sampled, tested, positives, sampling_sites, sampling_staff from read_parquet($facts_testing) where domain = 'testing';
insert into facts_vaccination by name select load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round, target_population, dose1, full_course, booster from read_parquet($facts_vaccination) where domain = 'vaccination';
insert into load_events by name select * from read_parquet($load_events);
insert into rollups by name select * from read_parquet($rollups) where prefix_len < 12;
-- an older backup has no village_rollups file: it is given the rollups file, which holds the villages' rows too
insert into village_rollups by name select * from read_parquet($village_rollups) where prefix_len = 12;
insert into load_warnings by name select * from read_parquet($load_warnings);
