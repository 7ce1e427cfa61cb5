"""The alias rules: header variants seen in real report files -> canonical field names (each field's own
variants are declared with it, in domain/declarations/; the words of unit columns, totals and footers are here).

Headers are normalised before lookup (full-width to half-width, spaces and
brackets with their units removed, lower case), so `已采样人数（人）`,
`已采样人数 (人)` and `已采样人数` are one key. A unit in brackets that holds
万 scales the column's values by 10,000. Documented in the README table.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from .declarations import DOMAINS as DECLARED
from .indicators import RATIO_WORDS

# Each field's header variants, as its domain's declaration lists them (domain/declarations/*.toml).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {f.key: f.aliases for d in DECLARED for f in d.fields}
# Columns that only cross-check a field: a ratio, or the complement of a count.
RATIO_ALIASES = RATIO_WORDS + ("比例", "ratio", "rate")  # the indicators' own words (采样率, 整改率), then any ratio
# Columns of what an indicator still misses (未采样人数 = 应检人数 − 已采样人数), by indicator, as declared.
REMAINDER_ALIASES: dict[str, tuple[str, ...]] = {i.key: i.remainder_aliases for d in DECLARED for i in d.indicators
                                                 if i.remainder_aliases}
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
# Unit words written after a count, by the field's declared unit word: 1623户, 456人, 12个; a unit word not listed here
# (家, 座) allows itself only.
UNIT_WORDS = {"户": ("户",), "个": ("个", "处"), "处": ("处", "个"), "人": ("人次", "人", "名", "剂次", "剂")}
FIELD_UNITS = {f.key: f.unit["zh"] for d in DECLARED for f in d.fields}
# Words after a field's own name in a header that still mean its count: 第一剂次接种人数, 全程接种人数.
COUNT_SUFFIXES = ("接种人数", "人数", "累计人数", "累计", "数量", "数", "人次")
# Personal data: a column whose header holds one of these words (联系人姓名, 网格员, 户主电话), unless it is a count
# (网格员人数), or whose values are shaped like ID-card or phone numbers or person names, is refused.
PERSONAL_WORDS = ("姓名", "名字", "身份证", "证件号", "手机", "电话", "联系方式", "联系人", "网格员", "网格长", "负责人",
                  "责任人", "户主", "住址", "家庭地址", "出生日期", "护照", "签名", "微信号", "name of person",
                  "person name", "phone", "id card", "contact person")
# The commonest surnames (together most of China's people): a column of short names starting with them is people.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
# Last characters of place names (王庄, 李家村, 张营): a short name ending in one is a place, not a person.
PLACE_ENDINGS = "村镇乡街区组庄屯寨营堡店集铺湾沟岭坡场坊园苑里巷路站队社口桥河湖山岗坝圩厂所"


def is_personal_header(header) -> bool:
    """A header naming personal data (联系人姓名, 网格员, 户主手机号); a count of people (网格员人数) is not."""
    text = normalise(header)
    if not text or field_for(header) or text.endswith(COUNT_SUFFIXES):
        return False
    return any(normalise(word) in text for word in PERSONAL_WORDS)

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


def remainder_for(header) -> str | None:
    """The indicator whose remainder (denominator − numerator) a column holds: 未采样人数 -> testing_completion."""
    return next((key for key, words in REMAINDER_ALIASES.items() if is_one_of(header, words)), None)


def is_one_of(header, aliases) -> bool:
    return normalise(header) in _keys(tuple(aliases))


@functools.cache
def _keys(aliases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalise(a) for a in aliases)


def is_ratio(header) -> bool:
    key = normalise(header)
    return key.endswith(_ratio_keys())


@functools.cache
def _ratio_keys() -> tuple[str, ...]:
    """The ratio words normalised once (the header search asks of every cell of the first 20 rows)."""
    return tuple(normalise(a) for a in RATIO_ALIASES)
