"""The one alias table: header variants seen in real report files -> canonical field names.

Headers are normalised before lookup (full-width to half-width, spaces and
brackets with their units removed, lower case), so `已采样人数（人）`,
`已采样人数 (人)` and `已采样人数` are one key. A unit in brackets that holds
万 scales the column's values by 10,000. Documented in the README table.
"""
from __future__ import annotations

import functools
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
    "tested": ("已检测人数", "检测人数", "已检测", "出结果人数", "已出结果", "已出结果人数", "tested"),
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
# Unit columns are generated from how people write the levels in every province: a level word (乡镇, 苏木, 嘎查村 …),
# optionally 级, then a name or code word (乡镇名称, 村级区划代码, 嘎查). Brackets are dropped by `normalise`, so
# 乡镇（苏木）, 村（社区）名称 and 乡（镇、街道） fall under the same words; a leading "12位" is dropped too.
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "county": ("县", "区", "旗", "县区", "县市区", "市辖区", "县级市"),
    "township": ("乡镇", "镇", "乡", "街道", "镇街", "街镇", "乡镇街道", "镇乡", "苏木", "苏木镇", "镇苏木", "民族乡",
                 "township"),
    "village": ("村", "社区", "居委会", "村委会", "村居", "村社区", "居", "行政村", "嘎查", "嘎查村", "村民委员会",
                "居民委员会", "社区居委会", "village"),
    "grid": ("网格",),
}
GENERIC_CODE = ("code", "区划代码", "代码", "统计用区划代码", "单位代码", "行政区划代码", "区划编码", "编码")
GENERIC_NAME = ("name", "名称", "单位名称", "区划名称", "单位", "填报单位")
CODE_WORDS = ("代码", "区划代码", "编码", "统计用区划代码", "行政区划代码", "区划编码", "编号")
NAME_WORDS = ("", "名称", "名", "单位", "名单")


def _unit_headers(words: tuple[str, ...], generic: tuple[str, ...]) -> dict[str, str | None]:
    """Every header of a unit column of one role, with the level it names (None: any level)."""
    out: dict[str, str | None] = {g: None for g in generic}
    for level, levels in LEVEL_WORDS.items():
        for stem in levels:
            for grade in ("", "级"):
                for word in words:
                    out.setdefault(f"{stem}{grade}{word}", level)
    return out


CODE_HEADERS = _unit_headers(CODE_WORDS, GENERIC_CODE)
NAME_HEADERS = _unit_headers(NAME_WORDS, GENERIC_NAME)
CODE_ALIASES = tuple(CODE_HEADERS)
NAME_ALIASES = tuple(NAME_HEADERS)
ROUND_ALIASES = ("round", "轮次")
DATE_ALIASES = ("date", "snapshot_date", "日期", "统计日期")
TOTAL_WORDS = ("合计", "总计", "小计", "全县", "全镇", "全乡", "total", "sum")
# A total's label may name its area first: 全区合计, 全旗总计, 本镇小计.
_TOTAL_LABEL = re.compile(r"^(?:[全本各]\w{0,3}?)?(?:合计|总计|小计|汇总|total|sum)$")
# Lines after the table that are not data: who filled it in, when, notes. Their text is never shown back.
FOOTER_WORDS = ("填报人", "填表人", "联系电话", "电话", "审核人", "审核", "填报日期", "填表日期", "报送日期", "填报单位",
                "制表", "制表人", "制表单位", "备注", "注", "说明", "负责人", "统计人", "签字", "盖章", "单位负责人")
# Cells that say "nothing here" rather than a figure.
EMPTY_MARKERS = ("—", "——", "-", "--", "/", "无", "空", "空白", "－", "―", "–")
# Unit words written after a count, by the field's unit: 1623户, 456人, 12个.
UNIT_WORDS = {"households": ("户",), "sites": ("个", "处"), "persons": ("人次", "人", "名", "剂次", "剂")}
FIELD_UNITS = {"households_total": "households", "households_checked": "households", "sampling_sites": "sites"}
# Words after a field's own name in a header that still mean its count: 第一剂次接种人数, 全程接种人数.
COUNT_SUFFIXES = ("接种人数", "人数", "累计人数", "累计", "数量", "数", "人次")
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
_TOTAL_KEYS = frozenset(normalise(w) for w in TOTAL_WORDS)


def field_for(header) -> str | None:
    """The canonical field a header names: an alias, or an alias followed by a count word (全程接种人数)."""
    key = normalise(header)
    found = FIELD_INDEX.get(key)
    for suffix in COUNT_SUFFIXES:
        if found is None and key.endswith(suffix) and len(key) > len(suffix):
            found = FIELD_INDEX.get(key[: -len(suffix)])
    return found


_ROLE_INDEX = {**{normalise(h): ("name", lv) for h, lv in NAME_HEADERS.items()},
               **{normalise(h): ("code", lv) for h, lv in CODE_HEADERS.items()}}
_DIGITS_WIDE = re.compile(r"^\d+位")


def unit_column(header) -> tuple[str, str | None] | None:
    """("code" | "name", level or None) for a unit column as any province writes it (村级区划代码, 苏木（乡镇）,
    12位区划代码), else None: one rule over generated words, not a list grown one header at a time."""
    key = _DIGITS_WIDE.sub("", normalise(header))
    return _ROLE_INDEX.get(key) if key else None


def ratio_field(header) -> str | None:
    """The field a ratio column names (加强免疫接种率 -> booster), so it is checked against that indicator only."""
    key = normalise(header)
    for word in sorted(RATIO_ALIASES, key=len, reverse=True):
        if key.endswith(normalise(word)) and len(key) > len(normalise(word)):
            return field_for(key[: -len(normalise(word))]) or field_for(key[: -len(normalise(word))] + "人数")
    return None


def is_total_label(cell) -> bool:
    """合计, 总计, 全县, 全区合计 …: the label of a total row."""
    key = normalise(cell)
    return key in _TOTAL_KEYS or bool(_TOTAL_LABEL.match(key))


_FOOTER = re.compile(r"^(?:" + "|".join(sorted(FOOTER_WORDS, key=len, reverse=True)) + r")\s*[:：]")


def is_footer_text(cell) -> bool:
    """A note line after the table: 填报人：…, 注：…, 备注：… (the word, then a colon)."""
    return bool(_FOOTER.match(unicodedata.normalize("NFKC", str(cell or "")).strip()))


def is_one_of(header, aliases) -> bool:
    return normalise(header) in _keys(tuple(aliases))


@functools.cache
def _keys(aliases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalise(a) for a in aliases)


def is_ratio(header) -> bool:
    key = normalise(header)
    return any(key.endswith(normalise(a)) for a in RATIO_ALIASES)
