-- A second floor beside the benchmark's: the same file stored into the very table the pages read, the domain's own table as the store declares it (every field of the domain; those the file lacks stay empty), keyed and clustered the same way; nothing checked, no history, no rollups (returns nothing).
insert into {{facts_table}} by name
{{> floor_rows}}
select * from final order by num;
