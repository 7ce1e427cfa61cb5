"""Messages of backup and restore (`python -m dashboard backup DIR` / `restore DIR`)."""

MESSAGES: dict[str, dict[str, str]] = {
    "backup_done": {"zh": "已备份到 {path}：{tables} 张表，共 {rows} 行（每张表一个 Parquet 文件，校验值见 manifest.json）",
                    "en": "Backed up to {path}: {tables} tables, {rows} rows (one Parquet file per table; "
                          "checksums in manifest.json)"},
    "backup_restored": {"zh": "已从备份 {path} 恢复数据库 {db}：{tables} 张表，共 {rows} 行（备份时间 {created}）",
                        "en": "Restored the store {db} from backup {path}: {tables} tables, {rows} rows "
                              "(backed up {created})"},
    "err_no_store": {"zh": "数据库 {path} 不存在，无可备份", "en": "The store {path} does not exist: nothing to back up"},
    "err_backup_exists": {"zh": "备份目录 {path} 已存在且不为空；请指定新目录，以免覆盖已有备份",
                          "en": "Backup folder {path} exists and is not empty; choose a new folder so that no "
                                "earlier backup is overwritten"},
    "err_backup_no_manifest": {"zh": "{path} 不是备份目录：缺少 manifest.json",
                               "en": "{path} is not a backup folder: manifest.json is missing"},
    "err_backup_bad_manifest": {"zh": "备份 {path} 的 manifest.json 无法读取：{reason}",
                                "en": "The manifest.json of backup {path} cannot be read: {reason}"},
    "err_backup_tables": {"zh": "备份 {path} 的表与当前数据库结构不符：缺少 {missing}，多出 {extra}",
                          "en": "The tables of backup {path} do not match this store's schema: missing {missing}, "
                                "extra {extra}"},
    "err_backup_file_missing": {"zh": "备份文件 {file} 缺失，拒绝恢复（数据库未改动）",
                                "en": "Backup file {file} is missing; restore refused (the store is unchanged)"},
    "err_backup_checksum": {"zh": "备份文件 {file} 的校验值与 manifest.json 不符（文件已损坏或被改动），拒绝恢复（数据库未改动）",
                            "en": "Backup file {file} does not match its checksum in manifest.json (damaged or "
                                  "altered); restore refused (the store is unchanged)"},
    "err_backup_rows": {"zh": "表 {table} 恢复后为 {found} 行，备份记录为 {expected} 行，拒绝恢复（数据库未改动）",
                        "en": "Table {table} has {found} rows after restore but the backup lists {expected}; "
                              "restore refused (the store is unchanged)"},
    "err_restore_target": {"zh": "{value} 既不是导入编号，也不是含 manifest.json 的备份目录",
                           "en": "{value} is neither a load number nor a backup folder holding manifest.json"},
}
