"""The canonical fields of the three domains, each with its kind and labels.

One table of truth: SQL columns, CSV/JSON output and UI labels all use these
snake_case names. The kind decides how a field behaves over time:
cumulative counts never go down (testing counts: within a round), current
fields are stocks as of the date, resources are additive but not monotone.
"""
from __future__ import annotations

from dataclasses import dataclass

DOMAINS = ("screening", "testing", "vaccination")
CUMULATIVE, CURRENT, RESOURCE = "cumulative", "current", "resource"


@dataclass(frozen=True)
class Field:
    name: str
    domain: str
    kind: str
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


FIELDS: tuple[Field, ...] = (
    Field("households_total", "screening", CURRENT, "总户数", "Households"),
    Field("households_checked", "screening", CUMULATIVE, "已排查户数", "Households checked"),
    Field("persons_checked", "screening", CUMULATIVE, "排查人数", "Persons checked"),
    Field("returnees", "screening", CUMULATIVE, "返乡人员", "Returnees"),
    Field("risk_area_returnees", "screening", CUMULATIVE, "中高风险地区返回人员", "From risk areas"),
    Field("home_isolation", "screening", CURRENT, "居家隔离", "Home isolation"),
    Field("central_isolation", "screening", CURRENT, "集中隔离", "Central isolation"),
    Field("health_monitoring", "screening", CURRENT, "居家健康监测", "Health monitoring"),
    Field("resident_population", "testing", CURRENT, "常住人口", "Resident population"),
    Field("target_persons", "testing", CURRENT, "应检人数", "Persons to test"),
    Field("sampled", "testing", CUMULATIVE, "已采样人数", "Sampled"),
    Field("tested", "testing", CUMULATIVE, "已检测人数", "Tested"),
    Field("positives", "testing", CUMULATIVE, "阳性人数", "Positives"),
    Field("sampling_sites", "testing", RESOURCE, "采样点", "Sampling sites"),
    Field("sampling_staff", "testing", RESOURCE, "采样人员", "Sampling staff"),
    Field("target_population", "vaccination", CURRENT, "目标人群", "Target population"),
    Field("dose1", "vaccination", CUMULATIVE, "第一剂次", "First dose"),
    Field("full_course", "vaccination", CUMULATIVE, "全程接种", "Full course"),
    Field("booster", "vaccination", CUMULATIVE, "加强免疫", "Booster"),
)
BY_NAME = {f.name: f for f in FIELDS}
FIELD_NAMES = tuple(f.name for f in FIELDS)

# The testing round (轮次) is a property of a testing row, not a count.
ROUND_LABELS = {"zh": "轮次", "en": "Round"}

# Denominators that a population register (参考人口) may supply.
REGISTER_FIELDS = ("resident_population", "target_persons", "target_population", "households_total")

# The tallies a domain's headline card lists under its ratio (the counts no ratio shows, in the order a report gives them).
CARD_TALLIES = {
    "screening": ("persons_checked", "returnees", "risk_area_returnees", "home_isolation", "central_isolation",
                  "health_monitoring"),
    "testing": ("tested", "positives", "sampling_sites", "sampling_staff"),
    "vaccination": ("dose1", "full_course", "booster"),
}

DOMAIN_LABELS = {
    "screening": {"zh": "排查", "en": "Screening"},
    "testing": {"zh": "核酸采样", "en": "Testing"},
    "vaccination": {"zh": "疫苗接种", "en": "Vaccination"},
}


def domain_fields(domain: str) -> tuple[Field, ...]:
    """The fields a report of this domain may carry, in canonical order."""
    return tuple(f for f in FIELDS if f.domain == domain)


def cumulative_fields(domain: str) -> tuple[str, ...]:
    return tuple(f.name for f in domain_fields(domain) if f.kind == CUMULATIVE)


def infer_domain(columns) -> str | None:
    """The domain whose fields a set of column names carries most of."""
    cols = set(columns)
    scores = {d: len(cols & {f.name for f in domain_fields(d)}) for d in DOMAINS}
    best = max(scores, key=scores.get)
    return best if scores[best] else None
