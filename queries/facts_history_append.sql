-- Appends the registered frame `incoming_facts` (rows of any domains, with the load columns) to each domain's full history of reported rows (returns nothing).
insert into facts_history_screening by name
select columns(lambda c: list_contains(['load_id', 'domain', 'snapshot_date', 'as_of_hour', 'num', 'prefix_len', 'round', 'households_total', 'households_checked', 'persons_checked', 'returnees', 'risk_area_returnees', 'home_isolation', 'central_isolation', 'health_monitoring'], c)) from incoming_facts where domain = 'screening' order by num;
insert into facts_history_testing by name
select columns(lambda c: list_contains(['load_id', 'domain', 'snapshot_date', 'as_of_hour', 'num', 'prefix_len', 'round', 'resident_population', 'target_persons', 'sampled', 'tested', 'positives', 'sampling_sites', 'sampling_staff'], c)) from incoming_facts where domain = 'testing' order by num;
insert into facts_history_vaccination by name
select columns(lambda c: list_contains(['load_id', 'domain', 'snapshot_date', 'as_of_hour', 'num', 'prefix_len', 'round', 'target_population', 'dose1', 'full_course', 'booster'], c)) from incoming_facts where domain = 'vaccination' order by num;
