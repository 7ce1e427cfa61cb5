"""Each domain declared once: `dashboard/domain/declarations/<key>.toml`, read once here and checked.

Why a file per domain: a grid campaign is more than three domains (safety hazards, 汛期排查, gas safety), and
each one used to mean edits in fifteen places. Now its fields (kind, labels, unit word, header aliases, whether a
population register may supply it), its indicators (numerator, denominator, default target, the main one), its
card tallies, colour and rounds are written in its file; `fields`, `aliases` and `indicators` derive their tables
from these declarations, the store's tables and the SQL field lists are rendered from them (storage/queries.py),
and tests/test_declarations.py holds the README's field and alias tables equal to them.

A folder named by the environment variable DASHBOARD_DOMAINS adds declarations of one's own (a campaign of a
county's own; the tests' fixture). An error names the file and the entry, and says what is expected.
"""
from __future__ import annotations

import os
import pathlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass

from .messages import DeclarationError

SHIPPED = pathlib.Path(__file__).with_name("declarations")
EXTRA_ENV = "DASHBOARD_DOMAINS"
KINDS = ("cumulative", "current", "resource")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,30}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# The order of the mission's three domains; the others follow, the shipped folder's first, each folder by file name.
_ORDER = ("screening", "testing", "vaccination")
# Names the store uses for its own columns: no field may take one.
_RESERVED = frozenset({"load_id", "domain", "snapshot_date", "as_of_hour", "num", "code", "name", "level",
                       "prefix_len", "round", "line", "reported", "carried", "expected", "double_reported",
                       "rows_used", "last_reported", "expected_prefix_len", "current", "loaded_at"})


@dataclass(frozen=True)
class FieldDecl:
    key: str
    kind: str
    label: dict
    unit: dict
    register: bool
    residents: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorDecl:
    key: str
    numerator: str
    denominator: str
    target: float
    label: dict
    main: bool
    aliases: tuple[str, ...]
    remainder_aliases: tuple[str, ...] = ()  # headers of a column of denominator − numerator (未采样人数)


@dataclass(frozen=True)
class Domain:
    key: str
    label: dict
    colour: str
    rounds: bool
    optional: bool
    fields: tuple[FieldDecl, ...]
    indicators: tuple[IndicatorDecl, ...]
    card_tallies: tuple[str, ...]
    source: str
    words: tuple[str, ...] = ()  # words a title or file name uses for the domain (核酸, 疫苗): a cross-check only


def folders() -> list[pathlib.Path]:
    extra = os.environ.get(EXTRA_ENV)
    return [SHIPPED] + ([pathlib.Path(extra)] if extra else [])


def load(where: list[pathlib.Path] | None = None) -> tuple[Domain, ...]:
    """Every declared domain, the shipped three first; raises DeclarationError on the first problem found."""
    files = [p for folder in (where or folders()) for p in sorted(pathlib.Path(folder).glob("*.toml"))]
    if not files:
        raise DeclarationError(f"no domain declarations (*.toml) in {', '.join(map(str, where or folders()))}")
    domains = [_domain(path) for path in files]
    position = {d.key: n for n, d in enumerate(domains)}  # the shipped folder's files first, each folder by name
    domains.sort(key=lambda d: (_ORDER.index(d.key) if d.key in _ORDER else len(_ORDER), position[d.key]))
    _check_unique(domains)
    return tuple(domains)


def _domain(path: pathlib.Path) -> Domain:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DeclarationError(f"{path.name}: not a readable TOML file ({error})") from None
    where = path.name
    _known(raw, {"key", "label", "colour", "rounds", "optional", "card_tallies", "words", "fields", "indicators"},
           where)
    fields = tuple(_field(f, f"{where} fields[{n}]") for n, f in enumerate(_list(raw, "fields", where), 1))
    names = {f.key for f in fields}
    indicators = tuple(_indicator(i, f"{where} indicators[{n}]", names)
                       for n, i in enumerate(_list(raw, "indicators", where), 1))
    domain = Domain(key=_key(raw, "key", where), label=_label(raw, "label", where),
                    colour=_text(raw, "colour", where, _COLOUR, "a colour written #rrggbb"),
                    rounds=_flag(raw, "rounds", where), optional=_flag(raw, "optional", where),
                    fields=fields, indicators=indicators,
                    card_tallies=tuple(_names(raw, "card_tallies", where, names)), source=where,
                    words=tuple(_strings(raw, "words", where)) or (_label(raw, "label", where)["zh"],))
    if path.stem != domain.key:
        raise DeclarationError(f"{where}: the file is named after its key: {domain.key}.toml")
    if sum(i.main for i in indicators) != 1:
        raise DeclarationError(f"{where}: exactly one indicator has main = true (its headline card shows it)")
    return domain


def _field(raw, where: str) -> FieldDecl:
    _table(raw, where)
    _known(raw, {"key", "kind", "label", "unit", "register", "residents", "aliases"}, where)
    key = _key(raw, "key", where)
    if key in _RESERVED:
        raise DeclarationError(f"{where}: key {key!r} is a column the store uses itself; choose another")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise DeclarationError(f"{where}: kind is one of {', '.join(KINDS)}, not {kind!r}")
    return FieldDecl(key=key, kind=kind, label=_label(raw, "label", where), unit=_label(raw, "unit", where),
                     register=bool(raw.get("register", False)), residents=_flag(raw, "residents", where),
                     aliases=tuple(_strings(raw, "aliases", where)))


def _indicator(raw, where: str, fields: set[str]) -> IndicatorDecl:
    _table(raw, where)
    _known(raw, {"key", "numerator", "denominator", "target", "label", "main", "aliases", "remainder_aliases"}, where)
    target = raw.get("target")
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target <= 1:
        raise DeclarationError(f"{where}: target is a fraction above 0 and at most 1 (0.95 for 95 %), not {target!r}")
    numerator, denominator = (_names(raw, side, where, fields, one=True)[0] for side in ("numerator", "denominator"))
    return IndicatorDecl(key=_key(raw, "key", where), numerator=numerator, denominator=denominator,
                         target=float(target), label=_label(raw, "label", where), main=bool(raw.get("main", False)),
                         aliases=tuple(_strings(raw, "aliases", where)),
                         remainder_aliases=tuple(_strings(raw, "remainder_aliases", where)))


def _check_unique(domains: list[Domain]) -> None:
    """Keys are the store's table and column names: one domain, field and indicator per key, one field per alias."""
    seen: dict[str, str] = {}
    for d in domains:
        for kind, key in [("domain", d.key)] + [("field", f.key) for f in d.fields] + \
                         [("indicator", i.key) for i in d.indicators]:
            if key in seen:
                raise DeclarationError(f"{d.source}: {kind} {key!r} is declared already in {seen[key]}")
            seen[key] = d.source
    residents = [f.key for d in domains for f in d.fields if f.residents]
    if len(residents) > 1:
        raise DeclarationError(f"residents = true is declared for {residents}; one field is the residents' count")
    owners: dict[str, str] = {}
    for d in domains:
        for f in d.fields:
            for alias in {_fold(a) for a in (f.key, *f.aliases)}:
                if owners.setdefault(alias, f.key) != f.key:
                    raise DeclarationError(f"{d.source}: the header {alias!r} of {f.key} names "
                                           f"{owners[alias]} already; a header names one field")


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _table(raw, where: str) -> None:
    if not isinstance(raw, dict):
        raise DeclarationError(f"{where}: a table ([[...]] entry) is expected")


def _known(raw: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise DeclarationError(f"{where}: unknown entries {unknown}; allowed: {sorted(allowed)}")


def _list(raw: dict, name: str, where: str) -> list:
    value = raw.get(name)
    if not isinstance(value, list) or not value:
        raise DeclarationError(f"{where}: {name} is missing or empty (at least one [[{name}]] entry)")
    return value


def _key(raw: dict, name: str, where: str) -> str:
    return _text(raw, name, where, _KEY, "a lower-case snake_case name (letters, digits, _; 31 at most)")


def _text(raw: dict, name: str, where: str, pattern: re.Pattern, what: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise DeclarationError(f"{where}: {name} is {what}, not {value!r}")
    return value


def _label(raw: dict, name: str, where: str) -> dict:
    value = raw.get(name)
    if not isinstance(value, dict) or set(value) != {"zh", "en"} or \
            not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise DeclarationError(f"{where}: {name} is {{ zh = \"…\", en = \"…\" }}, both written, not {value!r}")
    return dict(value)


def _flag(raw: dict, name: str, where: str) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        raise DeclarationError(f"{where}: {name} is true or false, not {value!r}")
    return value


def _strings(raw: dict, name: str, where: str) -> list[str]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DeclarationError(f"{where}: {name} is a list of words in quotes, not {value!r}")
    return value


def _names(raw: dict, name: str, where: str, fields: set[str], one: bool = False) -> list[str]:
    value = [raw.get(name)] if one else raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DeclarationError(f"{where}: {name} names {'a field' if one else 'fields'} of this domain")
    unknown = [v for v in value if v not in fields]
    if unknown:
        raise DeclarationError(f"{where}: {name} names {unknown}, not a field of this domain "
                               f"({', '.join(sorted(fields))})")
    return value


DOMAINS: tuple[Domain, ...] = load()
