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
    "err_unknown_setting": {"zh": "没有名为 {name} 的设置（可用：target.<指标>、carry_days、expected_level.<业务>）",
                            "en": "No setting named {name} (use target.<indicator>, carry_days, expected_level.<domain>)"},
    "setting_done": {"zh": "设置 {name} = {value}", "en": "Set {name} = {value}"},
    "round_done": {"zh": "{county}：第 {round} 轮核酸采样自 {start} 起", "en": "{county}: testing round {round} starts {start}"},
    "err_no_header": {"zh": "文件 {file}：前 20 行中找不到表头（应含 名称/区划代码 和 指标列）",
                      "en": "File {file}: no header row in the first 20 rows (expected a name/code column and figures)"},
    "err_personal_data": {"zh": "文件 {file}“{column}”列含个人信息（{kind}），系统只存汇总数，整份文件未导入",
                          "en": "File {file}, column '{column}' holds personal data ({kind}); only aggregates are stored, nothing was loaded"},
    "err_unknown_name": {"zh": "文件 {file} 第 {row} 行“{column}”列：找不到单位“{value}”，相近的有：{options}",
                         "en": "File {file} row {row}, column '{column}': no unit named '{value}'; closest: {options}"},
    "err_ambiguous_name": {"zh": "文件 {file} 第 {row} 行“{column}”列：“{value}”可能是 {options}，请指定上级单位",
                           "en": "File {file} row {row}, column '{column}': '{value}' could be {options}; choose the parent unit"},
    "warn_ratio_mismatch": {"zh": "文件 {file} 第 {row} 行“{column}”列：填报比例 {stated} 与计算值 {computed} 不符",
                            "en": "File {file} row {row}, column '{column}': stated {stated} differs from computed {computed}"},
    "warn_total_mismatch": {"zh": "文件 {file} 第 {row} 行（合计）“{column}”：合计 {stated} 与各行之和 {summed} 不符",
                            "en": "File {file} row {row} (total), '{column}': total {stated} differs from the sum of rows {summed}"},
    "warn_not_sampled_mismatch": {"zh": "文件 {file} 第 {row} 行：未采样人数 {stated} ≠ 应检人数 − 已采样人数（{computed}）",
                                  "en": "File {file} row {row}: not sampled {stated} ≠ to test − sampled ({computed})"},
    "plan_summary": {"zh": "{file} 识别为：{domain} · {date}{hour} · {round}{level} · {rows} 行{parent}",
                     "en": "{file} read as: {domain} · {date}{hour} · {round}{level} · {rows} rows{parent}"},
    "plan_hour": {"zh": " 截至{hour}时", "en": " as of {hour}:00"},
    "plan_round": {"zh": "第{round}轮 · ", "en": "round {round} · "},
    "plan_parent": {"zh": " · 所属 {name}", "en": " · within {name}"},
    "boundaries_done": {"zh": "边界：匹配 {matched} 个单位（按{by}），未匹配要素 {unmatched} 个，仍无边界的单位 {missing} 个",
                        "en": "Boundaries: {matched} units matched (by {by}), {unmatched} features unmatched, {missing} units still without geometry"},
    "boundaries_unmatched": {"zh": "未匹配的要素：{names}", "en": "Features that matched no unit: {names}"},
    "boundaries_missing": {"zh": "没有边界的单位：{names}", "en": "Units without geometry: {names}"},
    "err_unknown_load": {"zh": "没有编号为 {load_id} 的导入", "en": "There is no load {load_id}"},
    "load_was_rolled_back": {"zh": "{file} 曾作为导入编号 {load_id} 导入后被撤回；如需恢复请运行 python -m dashboard restore {load_id}",
                             "en": "{file} was loaded as load {load_id} and rolled back; to restore it run python -m dashboard restore {load_id}"},
    "rollback_done": {"zh": "已撤回导入编号 {load_id}（数据保留，可恢复）", "en": "Rolled back load {load_id} (rows kept; it can be restored)"},
    "restore_done": {"zh": "已恢复导入编号 {load_id}", "en": "Restored load {load_id}"},
    "template_done": {"zh": "已生成填报模板 {path}（{rows} 个单位）", "en": "Wrote template {path} ({rows} units)"},
    "template_title": {"zh": "{unit}{domain}情况统计表（截至{date}24时）", "en": "{unit} {domain} report (as of {date} 24:00)"},
    "full_date": {"zh": "{year}年{month}月{day}日", "en": "{year}-{month:02d}-{day:02d}"},
    "col_code": {"zh": "区划代码", "en": "code"},
    "col_name": {"zh": "名称", "en": "name"},
    "rename_done": {"zh": "{code} 自 {date} 起更名为 {name}", "en": "{code} is named {name} from {date}"},
    "retire_done": {"zh": "{code} 自 {date} 起撤销（历史数据保留）", "en": "{code} retired from {date} (history kept)"},
    # --- sources ---
    "source_report": {"zh": "报表", "en": "report"},
    "source_register": {"zh": "参考人口", "en": "register"},
    "source_mixed": {"zh": "报表+参考人口", "en": "report + register"},
    # --- UI ---
    "app_title": {"zh": "网格化排查统计", "en": "Grid-check dashboard"},
    "page_overview": {"zh": "总览", "en": "Overview"},
    "page_map": {"zh": "地图", "en": "Map"},
    "lang_label": {"zh": "语言", "en": "Language"},
    "lang_zh": {"zh": "中文", "en": "中文"},
    "lang_en": {"zh": "English", "en": "English"},
    "date_label": {"zh": "日期", "en": "Date"},
    "date_latest": {"zh": "{date}（最新）", "en": "{date} (latest)"},
    "loaded_at": {"zh": "{domain} {date} 数据，导入于 {time}", "en": "{domain} data for {date}, loaded {time}"},
    "loaded_at_all": {"zh": "最近一次导入：{time}", "en": "Last load: {time}"},
    "domain_label": {"zh": "业务", "en": "Domain"},
    "indicator_label": {"zh": "指标", "en": "Indicator"},
    "breadcrumb_label": {"zh": "当前位置", "en": "You are here"},
    "status_met": {"zh": "达标", "en": "Met target"},
    "status_near": {"zh": "接近", "en": "Near target"},
    "status_below": {"zh": "未达标", "en": "Below target"},
    "status_far": {"zh": "差距大", "en": "Far below"},
    "status_none": {"zh": "无数据", "en": "No data"},
    "legend_item": {"zh": "{word} {range}", "en": "{word} {range}"},
    "legend_title": {"zh": "{indicator}（目标 {target}）", "en": "{indicator} (target {target})"},
    "unit_people": {"zh": "人", "en": "people"},
    "unit_households": {"zh": "户", "en": "households"},
    "card_title": {"zh": "{domain} · {indicator}", "en": "{domain} · {indicator}"},
    "card_numden": {"zh": "{num} / {den} {unit}", "en": "{num} / {den} {unit}"},
    "card_target": {"zh": "目标 {target}", "en": "target {target}"},
    "card_gap": {"zh": "距目标还差 {gap} {unit}", "en": "{gap} {unit} short of target"},
    "card_gap_none": {"zh": "已达到目标", "en": "Target reached"},
    "card_delta": {"zh": "{value} 个百分点", "en": "{value} pts"},
    "card_delta_since": {"zh": "较 {date}", "en": "vs {date}"},
    "card_complete": {"zh": "{reported} / {expected} 个{level}已报告，{carried} 个沿用此前数据",
                      "en": "{reported} of {expected} {level} reported, {carried} carried from earlier days"},
    "card_below": {"zh": "下辖 {total} 个{level}中 {below} 个未达标", "en": "{below} of {total} {level} below target"},
    "card_stale": {"zh": "所选日期无新报，显示 {date} 数据", "en": "Nothing new on the chosen date: showing {date}"},
    "card_no_data": {"zh": "截至所选日期尚无{domain}数据", "en": "No {domain} data up to the chosen date"},
    "card_source": {"zh": "分母来源：{source}", "en": "Denominator from {source}"},
    "level_pl_province": {"zh": "省", "en": "provinces"},
    "level_pl_prefecture": {"zh": "市", "en": "prefectures"},
    "level_pl_county": {"zh": "县", "en": "counties"},
    "level_pl_township": {"zh": "乡镇/街道", "en": "townships"},
    "level_pl_village": {"zh": "村/社区", "en": "villages"},
    "level_pl_grid": {"zh": "网格", "en": "grids"},
    "trend_title": {"zh": "近期走势（主要指标，虚线为目标）", "en": "Recent trend (main indicators; dotted: target)"},
    "trend_round": {"zh": "第{round}轮核酸开始", "en": "Testing round {round} starts"},
    "children_title": {"zh": "下辖{level} · {indicator}", "en": "{level} in {name} · {indicator}"},
    "children_hint": {"zh": "点表头排序；点选行首方框进入该单位", "en": "Click a header to sort; tick a row to open that unit"},
    "no_children": {"zh": "{name}没有下级单位", "en": "{name} has no units below it"},
    "col_name": {"zh": "名称", "en": "Name"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_rate": {"zh": "完成率", "en": "Rate"},
    "col_gap": {"zh": "缺口（{unit}）", "en": "Gap ({unit})"},
    "col_change": {"zh": "较上次（百分点）", "en": "Change (pts)"},
    "col_reported": {"zh": "已报告", "en": "Reported"},
    "empty_title": {"zh": "还没有数据", "en": "No data yet"},
    "empty_body": {"zh": "数据库 {path} 中还没有单位和报表。可先生成演示县，或导入本县的单位名录和报表：",
                   "en": "The store {path} holds no units or reports yet. Build the demo county, or load your units and reports:"},
    "empty_demo": {"zh": "生成演示县（虚构数据）", "en": "Build the demo county (fictional data)"},
    "empty_real": {"zh": "导入单位名录、参考人口和每日报表", "en": "Load the unit list, the reference population and daily reports"},
    "empty_after": {"zh": "导入后刷新本页。", "en": "Then reload this page."},
    "empty_no_reports": {"zh": "已有单位名录，但还没有导入报表。", "en": "The unit list is loaded, but no reports yet."},
    "param_unit_unknown": {"zh": "链接中的单位代码 {code} 不存在，已显示 {name}",
                           "en": "The link names unit {code}, which does not exist; showing {name}"},
    "param_date_bad": {"zh": "链接中的日期“{value}”无效，已显示最新数据",
                       "en": "The link's date '{value}' is not valid; showing the latest data"},
    "map_grids_toggle": {"zh": "显示全部网格", "en": "Show all grids"},
    "map_grids_hint": {"zh": "悬停查看网格数值。进入某个单位：关闭此开关后点击地图。",
                       "en": "Hover for a grid's values. To open a unit, switch this off and click the map."},
    "map_click_hint": {"zh": "点击区域进入下一级；点上方路径返回上级。", "en": "Click an area to open it; use the path above to go back up."},
    "map_no_shapes": {"zh": "没有边界的单位（点选行首方框进入）", "en": "Units without a boundary (tick a row to open)"},
    "map_leaf": {"zh": "{name}是最小单位，没有下级区域可画。", "en": "{name} has no smaller areas to draw."},
    "map_no_grid_data": {"zh": "{indicator}不按网格上报，网格显示为无数据。",
                         "en": "{indicator} is not reported per grid, so grids show no data."},
    "tip_numden": {"zh": "{num} / {den} {unit}", "en": "{num} / {den} {unit}"},
    "tip_gap": {"zh": "还差 {gap} {unit}", "en": "{gap} {unit} short"},
    "tip_gap_none": {"zh": "已达目标", "en": "Target reached"},
    "map_focus_title": {"zh": "缺口最大的{level}（点击进入）", "en": "{level} furthest from target (click to open)"},
    "map_focus_item": {"zh": "{name}：{ratio}，还差 {gap} {unit}", "en": "{name}: {ratio}, {gap} {unit} short"},
    "error_title": {"zh": "无法显示：{detail}", "en": "Cannot show this view: {detail}"},
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
