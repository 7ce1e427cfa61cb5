-- The benchmark's ingest baseline: DuckDB's own CSV reader loading a file into a bare table (returns nothing).
create or replace table bare as select * from read_csv($path, header = true);
