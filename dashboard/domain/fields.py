"""The canonical fields of every declared domain, each with its kind and labels (from domain/declarations/).

One table of truth: SQL columns, CSV/JSON output and UI labels all use these snake_case names. The kind decides
how a field behaves over time: cumulative counts never go down (in a domain with rounds: within a round), current
fields are stocks as of the date, resources are additive but not monotone.
"""
from __future__ import annotations

from dataclasses import dataclass

from .declarations import DOMAINS as DECLARED

CUMULATIVE, CURRENT, RESOURCE = "cumulative", "current", "resource"
DOMAINS: tuple[str, ...] = tuple(d.key for d in DECLARED)
# Domains a county switches on (setting `domain.<key>` = on); the others are always on.
OPTIONAL_DOMAINS: tuple[str, ...] = tuple(d.key for d in DECLARED if d.optional)
# Domains whose reports carry a round (轮次): their cumulative counts restart with each round.
ROUND_DOMAINS: tuple[str, ...] = tuple(d.key for d in DECLARED if d.rounds)


@dataclass(frozen=True)
class Field:
    name: str
    domain: str
    kind: str
    label_zh: str
    label_en: str
    unit_zh: str = "人"
    unit_en: str = "people"
    register: bool = False

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def unit(self, lang: str) -> str:
        """The word a count of this field is written with: 人, 户, 个, 处 (people, households, sites …)."""
        return self.unit_zh if lang == "zh" else self.unit_en


FIELDS: tuple[Field, ...] = tuple(
    Field(f.key, d.key, f.kind, f.label["zh"], f.label["en"], f.unit["zh"], f.unit["en"], f.register)
    for d in DECLARED for f in d.fields)
BY_NAME = {f.name: f for f in FIELDS}
FIELD_NAMES = tuple(f.name for f in FIELDS)

# The round (轮次) is a property of a row, not a count.
ROUND_LABELS = {"zh": "轮次", "en": "Round"}

# The residents' count: the base of a count per 1,000 residents (None where no declaration names one).
RESIDENTS = next((f.key for d in DECLARED for f in d.fields if f.residents), None)

# Denominators that a population register (参考人口) may supply.
REGISTER_FIELDS = tuple(f.name for f in FIELDS if f.register)

# The tallies a domain's headline card lists under its ratio (the counts no ratio shows, in the order a report gives them).
CARD_TALLIES = {d.key: d.card_tallies for d in DECLARED}

DOMAIN_LABELS = {d.key: dict(d.label) for d in DECLARED}
DOMAIN_COLOURS = {d.key: d.colour for d in DECLARED}


def has_rounds(domain: str) -> bool:
    return domain in ROUND_DOMAINS


def domain_fields(domain: str) -> tuple[Field, ...]:
    """The fields a report of this domain may carry, in canonical order."""
    return tuple(f for f in FIELDS if f.domain == domain)


def cumulative_fields(domain: str) -> tuple[str, ...]:
    return tuple(f.name for f in domain_fields(domain) if f.kind == CUMULATIVE)


def infer_domain(columns, domains=DOMAINS) -> str | None:
    """The domain whose fields a set of column names carries most of."""
    cols = set(columns)
    scores = {d: len(cols & {f.name for f in domain_fields(d)}) for d in domains}
    best = max(scores, key=scores.get)
    return best if scores[best] else None


def domains_named_in(text: str) -> frozenset[str]:
    """The domains a title or file name speaks of by their declared words (核酸 -> testing, 疫苗 -> vaccination)."""
    return frozenset(d.key for d in DECLARED if any(word in text for word in d.words))

