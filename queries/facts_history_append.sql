-- Appends the registered frame `incoming_facts` to the full history of reported rows (returns nothing).
insert into facts_history by name select * from incoming_facts order by num
