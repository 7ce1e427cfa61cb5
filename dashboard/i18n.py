"""Every user-visible string, in Chinese (default) and English, plus number and date formats.

The CLI, exports and the UI all take their words from here, so a message
reads the same wherever it appears.
"""
from __future__ import annotations

import datetime as dt
import math
import os

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

MESSAGES: dict[str, dict[str, str]] = {
    # --- file and row errors (always name file, row, column) ---
    "err_unreadable": {"zh": "文件 {file} 无法读取：{detail}",
                       "en": "File {file} cannot be read: {detail}"},
    "err_missing_column": {"zh": "文件 {file} 缺少“{column}”列",
                           "en": "File {file} has no column '{column}'"},
    "err_no_fields": {"zh": "文件 {file} 没有可识别的{domain}字段（应有：{expected}）",
                      "en": "File {file} has no recognised {domain} fields (expected: {expected})"},
    "err_no_domain": {"zh": "文件 {file} 无法判断业务类型（排查/核酸采样/疫苗接种），请用 --domain 指定",
                      "en": "File {file}: cannot tell the domain (screening/testing/vaccination); give --domain"},
    "err_no_date": {"zh": "文件 {file} 无法判断数据日期，请用 --date YYYY-MM-DD 指定",
                    "en": "File {file}: cannot tell the snapshot date; give --date YYYY-MM-DD"},
    "err_bad_date": {"zh": "日期“{value}”格式不对，应为 YYYY-MM-DD",
                     "en": "Date '{value}' is not in the form YYYY-MM-DD"},
    "err_unknown_code": {"zh": "文件 {file} 第 {row} 行“{column}”列：区划代码 {value} 不在单位名录中",
                         "en": "File {file} row {row}, column '{column}': code {value} is not in the unit list"},
    "err_bad_code": {"zh": "文件 {file} 第 {row} 行“{column}”列：“{value}”不是 12 位或 15 位区划代码",
                     "en": "File {file} row {row}, column '{column}': '{value}' is not a 12- or 15-digit division code"},
    "err_duplicate_code": {"zh": "文件 {file} 第 {row} 行“{column}”列：代码 {value} 重复出现",
                           "en": "File {file} row {row}, column '{column}': code {value} appears twice"},
    "err_negative": {"zh": "文件 {file} 第 {row} 行“{column}”列：数值 {value} 为负数",
                     "en": "File {file} row {row}, column '{column}': {value} is negative"},
    "err_not_number": {"zh": "文件 {file} 第 {row} 行“{column}”列：“{value}”不是数字",
                       "en": "File {file} row {row}, column '{column}': '{value}' is not a number"},
    "err_missing_name": {"zh": "文件 {file} 第 {row} 行“{column}”列：名称为空",
                         "en": "File {file} row {row}, column '{column}': the name is empty"},
    "err_grid_suffix": {"zh": "文件 {file} 第 {row} 行：网格代码 {value} 的后三位不能为 000",
                        "en": "File {file} row {row}: grid code {value} must not end in 000"},
    "err_no_units": {"zh": "单位名录为空：请先导入单位（python -m dashboard units 文件）",
                     "en": "The unit list is empty: load units first (python -m dashboard units FILE)"},
    "err_empty_file": {"zh": "文件 {file} 没有数据行", "en": "File {file} has no data rows"},
    "err_store_busy": {"zh": "数据库正被另一导入任务写入，请稍后重试", "en": "Another load is writing the store; try again shortly"},
    "err_unknown_unit": {"zh": "单位代码 {code} 不存在", "en": "Unit {code} does not exist"},
    "err_no_data": {"zh": "尚无数据", "en": "No data yet"},
    # --- warnings ---
    "warn_over_denominator": {"zh": "文件 {file} 第 {row} 行：{numerator}（{num}）大于{denominator}（{den}）",
                              "en": "File {file} row {row}: {numerator} ({num}) exceeds {denominator} ({den})"},
    "warn_cumulative_drop": {"zh": "文件 {file} 第 {row} 行“{column}”列：累计数 {value} 低于上次（{previous}，{previous_date}）",
                             "en": "File {file} row {row}, column '{column}': cumulative {value} is below the previous {previous} ({previous_date})"},
    "code_range_township": {"zh": "代码 {code}（{name}）的乡镇段与名称类型不符（001–099 街道，100–199 镇，200–399 乡）",
                            "en": "Code {code} ({name}): township digits do not match its kind (001–099 street, 100–199 town, 200–399 township)"},
    "code_range_village": {"zh": "代码 {code}（{name}）的村级段与名称类型不符（001–199 社区/居委会，200–399 村）",
                           "en": "Code {code} ({name}): village digits do not match its kind (001–199 community, 200–399 village)"},
    "warn_unknown_columns": {"zh": "文件 {file}：忽略未识别的列 {columns}", "en": "File {file}: ignored unknown columns {columns}"},
    "warn_no_parent": {"zh": "代码 {code}（{name}）的上级单位不在名录中，作为根单位", "en": "Code {code} ({name}) has no parent in the list; kept as a root"},
    # --- results ---
    "load_done": {"zh": "已导入 {file}：{domain}，{date}，{rows} 行（导入编号 {load_id}）",
                  "en": "Loaded {file}: {domain}, {date}, {rows} rows (load {load_id})"},
    "load_same": {"zh": "{file} 已于导入编号 {load_id} 导入过，未作改动",
                  "en": "{file} was already loaded as load {load_id}; nothing changed"},
    "dry_run_ok": {"zh": "试导入 {file}：{domain}，{date}，{rows} 行可导入（未写入）",
                   "en": "Dry run {file}: {domain}, {date}, {rows} rows would load (nothing stored)"},
    "load_failed": {"zh": "{file} 未导入：{errors} 处错误，数据库未改动",
                    "en": "{file} not loaded: {errors} error(s); the store is unchanged"},
    "units_done": {"zh": "单位名录：新增 {added}，更名 {renamed}，未变 {unchanged}",
                   "en": "Units: {added} added, {renamed} renamed, {unchanged} unchanged"},
    "population_done": {"zh": "参考人口：{rows} 个单位已更新", "en": "Reference population: {rows} units updated"},
    "demo_done": {"zh": "演示县已生成：{path}（{units} 个单位，{loads} 次导入，用时 {seconds:.1f} 秒）",
                  "en": "Demo county built: {path} ({units} units, {loads} loads, {seconds:.1f} s)"},
    "demo_label": {"zh": "演示数据（虚构县）", "en": "Demo data (fictional county)"},
    # --- sources ---
    "source_report": {"zh": "报表", "en": "report"},
    "source_register": {"zh": "参考人口", "en": "register"},
    "source_mixed": {"zh": "报表+参考人口", "en": "report + register"},
}


def lang_from_env() -> str:
    lang = os.environ.get("DASHBOARD_LANG", DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The message `key` in `lang`, with values filled in; unknown keys raise."""
    return MESSAGES[key][lang if lang in LANGS else DEFAULT_LANG].format(**values)


def fmt_count(value, lang: str = DEFAULT_LANG, wan: bool = False) -> str:
    """478609 -> '478,609'; with wan=True in Chinese, 478609 -> '47.86万'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    if wan and lang == "zh" and abs(value) >= 10000:
        return f"{value / 10000:.2f}万"
    if wan and lang == "en" and abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.2f}M"
    return f"{value:,.0f}"


def fmt_percent(ratio, digits: int = 1) -> str:
    """0.8723 -> '87.2%'; None -> '—'."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "—"
    return f"{ratio * 100:.{digits}f}%"


def fmt_date(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """5月4日 / May 4."""
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day:%b} {day.day}"
