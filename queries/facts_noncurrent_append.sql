-- Appends the registered frame `incoming_facts` (rows of many loads, of any domains, with the load columns) to each domain's noncurrent rows, from which facts_rebuild.sql then picks the current ones (returns nothing).
{{domains lines: insert into facts_noncurrent_@ by name
select columns(lambda c: list_contains(['load_id', 'domain', 'snapshot_date', 'as_of_hour', 'num', 'prefix_len', 'round', {{fields_@: '@'}}], c)) from incoming_facts where domain = '@' order by num;}}
