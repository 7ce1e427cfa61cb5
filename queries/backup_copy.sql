-- Copies every store table, rows in stored order, to its own Parquet file (returns nothing); one $<table> path per table (dashboard/backup.py checks they are exactly the schema's tables).
copy meta to $meta (format parquet, compression zstd);
copy units to $units (format parquet, compression zstd);
copy unit_names to $unit_names (format parquet, compression zstd);
copy boundaries to $boundaries (format parquet, compression zstd);
copy population to $population (format parquet, compression zstd);
copy rounds to $rounds (format parquet, compression zstd);
copy settings to $settings (format parquet, compression zstd);
copy loads to $loads (format parquet, compression zstd);
{{domains lines: copy facts_noncurrent_@ to $facts_noncurrent_@ (format parquet, compression zstd);}}
{{domains lines: copy facts_@ to $facts_@ (format parquet, compression zstd);}}
copy load_events to $load_events (format parquet, compression zstd);
copy rollups to $rollups (format parquet, compression zstd);
{{domains lines: copy village_rollups_@ to $village_rollups_@ (format parquet, compression zstd);}}
copy load_warnings to $load_warnings (format parquet, compression zstd);
