-- Appends the registered frame `incoming_facts` (rows of any domains, with the load columns) to each domain's full history of reported rows (returns nothing).
{{domains lines: insert into facts_history_@ by name
select columns(lambda c: list_contains(['load_id', 'domain', 'snapshot_date', 'as_of_hour', 'num', 'prefix_len', 'round', {{fields_@: '@'}}], c)) from incoming_facts where domain = '@' order by num;}}
