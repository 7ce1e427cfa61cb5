"""Each domain is declared once (dashboard/domain/declarations/*.toml): the declarations are checked, the README's
tables follow them, and no SQL file or module outside them names a domain's field."""
import pathlib
import re

import pytest

from dashboard.domain import aliases, declarations, fields, indicators
from dashboard.storage import queries

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SHIPPED = declarations.SHIPPED

GOOD = '''key = "flood"
label = { zh = "汛期排查", en = "Flood season" }
colour = "#2c7fb8"
card_tallies = ["sites_checked"]

[[fields]]
key = "sites_checked"
kind = "cumulative"
label = { zh = "排查点位数", en = "Sites checked" }
unit = { zh = "处", en = "sites" }
aliases = ["排查点位数"]

[[fields]]
key = "sites_total"
kind = "current"
label = { zh = "应排查点位数", en = "Sites to check" }
unit = { zh = "处", en = "sites" }

[[indicators]]
key = "flood_check_rate"
main = true
numerator = "sites_checked"
denominator = "sites_total"
target = 1.0
label = { zh = "点位排查率", en = "Site check rate" }
'''


def _load(tmp_path, text: str, name: str = "flood.toml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return declarations.load([SHIPPED, tmp_path])


def test_a_good_declaration_adds_a_domain_after_the_shipped_ones(tmp_path):
    domains = _load(tmp_path, GOOD)
    assert [d.key for d in domains][:3] == ["screening", "testing", "vaccination"] and domains[-1].key == "flood"
    flood = domains[-1]
    assert [f.key for f in flood.fields] == ["sites_checked", "sites_total"] and flood.card_tallies == ("sites_checked",)
    assert flood.indicators[0].numerator == "sites_checked" and not flood.optional and not flood.rounds


@pytest.mark.parametrize("change, expected", [
    (('kind = "cumulative"', 'kind = "cumul"'), r"flood.toml fields\[1\]: kind is one of cumulative, current, resource"),
    (("[[indicators]]", '[[fields]]\nkey = "sampled"\nkind = "current"\nlabel = { zh = "采样", en = "Sampled" }\n'
                        'unit = { zh = "人", en = "people" }\n\n[[indicators]]'),
     r"field 'sampled' is declared already in testing.toml"),
    (('aliases = ["排查点位数"]', 'aliases = ["已采样人数"]'), r"the header '已采样人数' of sites_checked names sampled"),
    (('numerator = "sites_checked"', 'numerator = "sites"'), r"numerator names \['sites'\], not a field of this domain"),
    (("main = true\n", ""), r"exactly one indicator has main = true"),
    (("target = 1.0", "target = 95"), r"target is a fraction above 0 and at most 1"),
    (('colour = "#2c7fb8"', 'color = "#2c7fb8"'), r"unknown entries \['color'\]"),
    (('key = "sites_total"', 'key = "snapshot_date"'), r"'snapshot_date' is a column the store uses itself"),
    (('label = { zh = "汛期排查", en = "Flood season" }', 'label = { zh = "汛期排查" }'), r"label is \{ zh"),
    (('card_tallies = ["sites_checked"]', 'card_tallies = ["sites"]'), r"card_tallies names \['sites'\]"),
    (('key = "flood"', 'key = "Flood Season"'), r"key is a lower-case snake_case name"),
    (('key = "flood"', 'key = "floods"'), r"the file is named after its key: floods.toml"),
    (("[[fields]]", "[[field]]"), r"unknown entries \['field'\]"),
    (("target = 1.0", "target = 1.0\n["), r"not a readable TOML file"),
])
def test_a_declaration_with_a_mistake_is_refused_naming_the_file_and_the_entry(tmp_path, change, expected):
    with pytest.raises(declarations.DeclarationError, match=expected):
        _load(tmp_path, GOOD.replace(*change, 1))


def test_the_shipped_declarations_make_the_tables_every_module_reads():
    assert fields.DOMAINS == ("screening", "testing", "vaccination", "safety")
    assert fields.OPTIONAL_DOMAINS == ("safety",) and fields.ROUND_DOMAINS == ("testing",)
    assert indicators.MAIN_INDICATOR["safety"] == "hazard_rectification_rate"
    assert aliases.field_for("已整改隐患数（处）") == "hazards_rectified" and aliases.field_for("采样人数") == "sampled"
    assert aliases.remainder_for("未采样人数") == "testing_completion"
    assert set(fields.REGISTER_FIELDS) == {"households_total", "resident_population", "target_persons",
                                           "target_population"}


def _readme_table(heading: str) -> list[list[str]]:
    section = README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("| ") and not line.startswith("|---")]


def test_the_readme_field_table_is_the_declarations():
    rows = [r for r in _readme_table("Canonical fields") if r[0] in fields.DOMAINS and r[1] != "`round`"]
    assert rows == [[f.domain, f"`{f.name}`", f.label_zh, f.kind] for f in fields.FIELDS]


def test_the_readme_indicator_table_is_the_declarations():
    rows = [r for r in _readme_table("Canonical fields") if len(r) == 4 and r[0].startswith("`") and "/" in r[2]]
    assert rows == [[f"`{i.key}`", i.label_zh, f"`{i.numerator}` / `{i.denominator}`",
                     f"{i.default_target:.0%}"] for i in indicators.INDICATORS]


def test_the_readme_alias_table_is_the_declarations():
    rows = [r for r in _readme_table("Header aliases") if len(r) == 2 and r[0] != "field"]
    assert rows == [[f"`{name}`", "、".join(words)] for name, words in aliases.FIELD_ALIASES.items()]


# Modules that may name a domain's fields: the declarations themselves, the demo and benchmark generators (they make
# figures of the shipped domains) and this test.
MAY_NAME_FIELDS = ("dashboard/domain/declarations/", "dashboard/example/", "dashboard/benchmark/")


def test_no_sql_file_or_module_outside_the_declarations_names_a_field():
    """A field named in SQL code (comments apart) or as a string in Python ("sampled", .sampled) is a list that a new
    domain or field would miss; every such list is derived from the declarations instead."""
    names = "|".join(map(re.escape, fields.FIELD_NAMES))
    in_sql, in_python = re.compile(rf"\b({names})\b"), re.compile(rf"""(?:["'.])({names})\b""")
    named = {}
    for path in sorted((ROOT / "queries").rglob("*.sql")):
        code = "\n".join(line.split("--", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
        named[path.relative_to(ROOT).as_posix()] = sorted(set(in_sql.findall(code)))
    for path in sorted((ROOT / "dashboard").rglob("*.py")) + sorted((ROOT / "pages").rglob("*.py")) + [ROOT / "app.py"]:
        relative = path.relative_to(ROOT).as_posix()
        if not relative.startswith(MAY_NAME_FIELDS):
            named[relative] = sorted(set(in_python.findall(path.read_text(encoding="utf-8"))))
    assert {path: found for path, found in named.items() if found} == {}


def test_every_query_renders_its_field_lists_from_the_declarations():
    """The lists are written out when the registry loads: no query keeps a declared list's placeholder."""
    for name in queries.names():
        left = set(re.findall(r"\{\{([a-z_]+)", queries.sql(name)))
        assert not left & set(queries.DECLARED), name
    rollups = queries.sql("create_schema").split("create table if not exists rollups (", 1)[1].split(");", 1)[0]
    assert all(f" {name} bigint" in rollups for name in fields.FIELD_NAMES)


def test_a_broken_declaration_stops_the_command_line_with_its_file_and_no_traceback(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "flood.toml").write_text(GOOD.replace("target = 1.0", "target = 100"), encoding="utf-8")
    env = {**os.environ, "DASHBOARD_DOMAINS": str(tmp_path), "DASHBOARD_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(tmp_path / "x.duckdb"), "loads"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "flood.toml indicators[1]: target is a fraction" in done.stderr and "DASHBOARD_DOMAINS" in done.stderr
