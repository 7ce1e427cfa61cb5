-- The benchmark's ingest floor: the same file stored once in the layout the pages read, the domain's own table as the store declares it (every field of the domain; those the file lacks stay empty), the integer key from the code, rows clustered by it, the load's columns as constants; nothing checked, no history, no rollups (returns nothing).
insert into {{facts_table}} by name
{{> floor_rows}}
select * from final order by num;
