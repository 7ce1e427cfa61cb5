"""The one alias table: header variants seen in real report files -> canonical field names.

Headers are normalised before lookup (full-width to half-width, spaces and
brackets with their units removed, lower case), so `已采样人数（人）`,
`已采样人数 (人)` and `已采样人数` are one key. A unit in brackets that holds
万 scales the column's values by 10,000. Documented in the README table.
"""
from __future__ import annotations

import re
import unicodedata

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "households_total": ("总户数", "户数", "辖区户数", "households"),
    "households_checked": ("已排查户数", "排查户数", "已排查", "入户排查户数", "households checked"),
    "persons_checked": ("排查人数", "已排查人数", "排查人员", "persons checked"),
    "returnees": ("返乡人员", "返乡人数", "返乡", "返回人员", "returnees"),
    "risk_area_returnees": ("中高风险地区返回人员", "中高风险地区返乡人员", "中高风险地区来返人员", "中高风险返回人员",
                            "risk area returnees"),
    "home_isolation": ("居家隔离", "居家隔离人数", "居家隔离人员", "home isolation"),
    "central_isolation": ("集中隔离", "集中隔离人数", "集中隔离人员", "central isolation"),
    "health_monitoring": ("居家健康监测", "健康监测", "居家健康监测人数", "health monitoring"),
    "resident_population": ("常住人口", "常住人口数", "常住人数", "residents", "resident population"),
    "target_persons": ("应检人数", "应采人数", "应检", "应采样人数", "应检尽检人数", "persons to test"),
    "sampled": ("已采样人数", "已采人数", "采样人数", "已采样", "sampled"),
    "tested": ("已检测人数", "检测人数", "已检测", "出结果人数", "tested"),
    "positives": ("阳性人数", "阳性", "阳性病例", "positives"),
    "sampling_sites": ("采样点", "采样点数", "采样点位", "sampling sites"),
    "sampling_staff": ("采样人员", "采样人员数", "采样队伍人数", "sampling staff"),
    "target_population": ("目标人群", "应接种人数", "目标人数", "应种人数", "target population"),
    "dose1": ("第一剂次", "第一剂", "首剂", "第1剂", "dose1", "first dose"),
    "full_course": ("全程接种", "全程", "完成全程接种", "full course"),
    "booster": ("加强免疫", "加强针", "加强剂次", "加强", "booster"),
}
# Columns that only cross-check a field: a ratio, or the complement of a count.
RATIO_ALIASES = ("采样率", "接种率", "排查率", "完成率", "覆盖率", "比例", "ratio", "rate")
NOT_SAMPLED_ALIASES = ("未采样人数", "未采人数", "未采样", "not sampled")
# Second-row headers under a merged parent (第一剂次 over 累计（人） and 接种率): which role they play.
COUNT_SUBHEADERS = ("累计", "人数", "数量", "累计人数", "count", "total")
IGNORED = ("序号", "备注", "说明", "网格数", "no", "note", "remarks")
CODE_ALIASES = ("code", "区划代码", "代码", "统计用区划代码", "单位代码", "行政区划代码", "网格编码", "网格代码")
NAME_ALIASES = ("name", "名称", "单位名称", "区划名称", "单位", "镇(街道)", "乡镇(街道)", "镇街", "乡镇", "街道",
                "村", "社区", "村(社区)", "村(居)", "村居", "行政村", "网格", "网格名称", "填报单位", "township", "village")
ROUND_ALIASES = ("round", "轮次")
DATE_ALIASES = ("date", "snapshot_date", "日期", "统计日期")
TOTAL_WORDS = ("合计", "总计", "小计", "全县", "全镇", "全乡", "total", "sum")
# Personal data: a column with these headers, or values shaped like ID-card or phone numbers, is refused.
PERSONAL_HEADERS = ("姓名", "名字", "身份证", "身份证号", "身份证号码", "手机", "手机号", "联系电话", "电话", "name of person")

_BRACKETS = re.compile(r"[(\[].*?[)\]]")


def normalise(header) -> str:
    """NFKC (full-width -> half-width), no spaces, no bracketed units, lower case."""
    text = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    text = re.sub(r"\s+", "", text)
    return _BRACKETS.sub("", text)


def scale_of(header) -> int:
    """10,000 where the header's unit in brackets is 万 (万人, 万户), else 1."""
    units = re.findall(r"[(\[](.*?)[)\]]", unicodedata.normalize("NFKC", str(header or "")))
    return 10_000 if any("万" in u for u in units) else 1


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(alias): key for key, aliases in table.items() for alias in (key, *aliases)}


FIELD_INDEX = _index(FIELD_ALIASES)


def field_for(header) -> str | None:
    return FIELD_INDEX.get(normalise(header))


def is_one_of(header, aliases) -> bool:
    return normalise(header) in {normalise(a) for a in aliases}


def is_ratio(header) -> bool:
    key = normalise(header)
    return any(key.endswith(normalise(a)) for a in RATIO_ALIASES)
