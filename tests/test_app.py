"""The pages under Streamlit's AppTest, on the demo store: they render, their figures match SQL written here, URLs restore views.

The expected figures are computed in this file straight from the `facts`,
`population` and `units` tables (latest row of each reporting unit within the
carry-over window), not through `dashboard.rollup`, so a bug in the rollup or
in the page cannot hide behind the code it would be checked against.
"""
from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import shutil

import altair as alt
import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.analysis import rollup
from dashboard.domain import codes, fields, indicators
from dashboard.example import demo_data
from dashboard.storage.store import Store
from tests.helpers import sql

APP = pathlib.Path(__file__).resolve().parent.parent / "app.py"
COUNTY = "990101000000"
LATEST = dt.date(2022, 5, 7)
CARRY_DAYS = 3


def run_page(monkeypatch, db, page: str = "pages/overview.py", **params) -> AppTest:
    """One page run through app.py (the router), with the store and URL parameters given."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]



def latest_sums(db, domain: str, day: dt.date, code: str, prefix_len: int, numerator: str, denominator: str):
    """Sum of each reporting unit's latest row in [day − carry, day] under `code`; register fills a missing denominator.

    Also returns how many rows are from `day` itself (reported) and how many are older (carried).
    """
    lo = codes.num(code)
    hi = lo + codes.span(codes.level_of(code))
    return sql(db, f"""
        with latest as (
            select * from facts
            where domain = ? and prefix_len = ? and num >= ? and num < ?
              and snapshot_date between ?::date - {CARRY_DAYS} and ?::date
            qualify row_number() over (partition by num order by snapshot_date desc) = 1
        )
        select sum(l.{numerator}), sum(coalesce(l.{denominator}, p.{denominator})),
               count(*) filter (where l.snapshot_date = ?::date), count(*) filter (where l.snapshot_date < ?::date)
        from latest l left join population p on p.num = l.num and p.current
    """, domain, prefix_len, lo, hi, day, day, day, day)[0]


def caption_text(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


# ---- rendering -------------------------------------------------------------------
def test_each_page_renders_on_the_demo_store(monkeypatch, demo_store_path):
    for page in ("pages/overview.py", "pages/map.py"):
        at = run_page(monkeypatch, demo_store_path, page)
        assert_clean(at)
        assert any(i18n.t("demo_label", "zh") in m.value for m in at.markdown), "demo data must be labelled"
        assert at.title[0].value == f"示范县 · {i18n.fmt_date(LATEST, 'zh')}"


def test_all_grids_view_renders(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, "pages/map.py", grids="1", domain="testing")
    assert_clean(at)
    assert at.toggle[0].value is True
    legend = next(m.value for m in at.markdown if "目标 95.0%" in m.value)
    grids = sql(demo_store_path, "select count(*) from units where level = 'grid'")[0][0]
    assert sum(int(n) for n in re.findall(r"· (\d+)</span>", legend)) == grids  # every grid in one class


# ---- figures against independent SQL ---------------------------------------------------
@pytest.mark.parametrize("domain, prefix_len, numerator, denominator, level_words", [
    ("screening", 15, "households_checked", "households_total", "grids"),
    ("testing", 15, "sampled", "resident_population", "grids"),
    ("vaccination", 12, "full_course", "target_population", "villages"),
])
def test_headline_equals_sql(monkeypatch, demo_store_path, domain, prefix_len, numerator, denominator, level_words):
    num, den, reported, carried = latest_sums(demo_store_path, domain, LATEST, COUNTY, prefix_len,
                                              numerator, denominator)
    expected = sql(demo_store_path, "select count(*) from units where active and prefix_len = ?", prefix_len)[0][0]
    at = run_page(monkeypatch, demo_store_path, lang="en")
    assert_clean(at)
    card = next(m for m in at.metric if m.label.startswith(fields.DOMAIN_LABELS[domain]["en"]))
    assert card.value == i18n.fmt_percent(num / den)
    text = caption_text(at)
    assert f"{num:,.0f} / {den:,.0f}" in text
    assert f"{reported:,} of {expected:,} {level_words} reported, {carried:,} carried" in text


def test_chinese_headline_uses_wan(monkeypatch, demo_store_path):
    num, den, _, _ = latest_sums(demo_store_path, "testing", LATEST, COUNTY, 15, "sampled", "resident_population")
    at = run_page(monkeypatch, demo_store_path)
    assert f"{num / 10000:.2f}万 / {den / 10000:.2f}万 人" in caption_text(at)


# ---- URL restores the view ----------------------------------------------------------------
def test_url_with_unit_date_indicator_and_language_restores_the_view(monkeypatch, demo_store_path):
    township = sql(demo_store_path, "select code, name from units where level = 'township' order by num limit 1 offset 4")[0]
    day = dt.date(2022, 5, 1)
    at = run_page(monkeypatch, demo_store_path, unit=township[0], date=day.isoformat(), ind="booster_coverage",
                  lang="en")
    assert_clean(at)
    assert at.title[0].value == f"{township[1]} · May 1"
    assert at.selectbox(key="ctl-date").value == day
    assert at.selectbox(key="overview-ind").value == "booster_coverage"
    assert at.button_group(key="overview-domain").value == "vaccination"
    assert at.button_group(key="ctl-lang").value == "en"
    assert any(f"**{township[1]}**" in m.value for m in at.markdown), "breadcrumb names the unit"
    table = at.dataframe[0].value
    villages = sql(demo_store_path, "select name from units where parent_code = ?", township[0])
    assert sorted(table["name"]) == sorted(v[0] for v in villages)
    first = sql(demo_store_path, "select code, name from units where parent_code = ? order by num limit 1", township[0])[0]
    booster, target, _, _ = latest_sums(demo_store_path, "vaccination", day, first[0], 12, "booster", "target_population")
    assert table.set_index("name").loc[first[1], "ratio"] == round(booster / target * 100, 1)
    assert at.metric[2].value == i18n.fmt_percent(
        rollup.rollup(Store(demo_store_path), township[0], "vaccination", day).unit["full_course_coverage_ratio"])

    at.switch_page("pages/map.py").run()
    assert_clean(at)
    assert any("Booster coverage (target 60.0%)" in m.value for m in at.markdown)


def test_view_survives_a_page_switch_that_drops_the_query(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, unit="990101101000", lang="en")
    at.query_params.clear()  # what the browser does when the sidebar switches pages
    at.switch_page("pages/map.py").run()
    assert dict(at.query_params) == {"unit": "990101101000", "lang": "en"}
    assert at.title[0].value.startswith("城关镇")


def test_drill_down_and_back_up_through_the_url(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, "pages/map.py", unit="990101101000")
    focus = next(b for b in at.button if b.key and b.key.startswith("focus-"))
    focus.click().run()
    assert at.query_params["unit"] == focus.key.removeprefix("focus-")
    at.button(key="crumb-990101101000").click().run()
    assert at.query_params["unit"] == "990101101000"
    at.button(key=f"crumb-{COUNTY}").click().run()
    assert "unit" not in at.query_params  # the root is the default and stays out of the URL
    assert_clean(at)


def test_bad_parameters_fall_back_with_a_message(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, unit="990199999000", date="May-the-first", ind="nonsense")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")  # values are Markdown-escaped
    assert "990199999000" in warnings and "May-the-first" in warnings
    assert at.title[0].value.startswith("示范县")


# ---- empty and odd stores ----------------------------------------------------------------
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py"])
def test_empty_store_shows_how_to_load_data(monkeypatch, empty_store, page):
    at = run_page(monkeypatch, empty_store.path, page)
    assert_clean(at)
    assert any("python -m dashboard demo" in c.value for c in at.code)
    assert any(i18n.t("empty_title", "zh") in s.value for s in at.subheader)


def test_missing_store_file_shows_guidance_without_creating_it(monkeypatch, tmp_path):
    path = tmp_path / "none.duckdb"
    at = run_page(monkeypatch, path, lang="en")
    assert_clean(at)
    assert any(i18n.t("empty_title", "en") in s.value for s in at.subheader)
    assert not path.exists()


def test_units_without_a_boundary_are_listed_and_drillable(monkeypatch, demo_store_path, tmp_path):
    copy = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store_path, copy)
    con = duckdb.connect(str(copy))
    con.execute("delete from boundaries where code = '990101101000'")
    con.close()
    at = run_page(monkeypatch, copy, "pages/map.py")
    assert_clean(at)
    assert any(i18n.t("map_no_shapes", "zh") in m.value for m in at.markdown)
    assert list(at.dataframe[0].value["name"]) == ["城关镇"]


def taichen_store(tmp_path) -> Store:
    """台陈镇 (临颍县, Henan) from the sample files: one domain, village reports, no geometry at all."""
    from dashboard.intake import ingest, units

    fixtures = pathlib.Path(__file__).parent / "fixtures"
    store = Store(tmp_path / "taichen.duckdb")
    units.load_units(store, fixtures / "taichen_units.csv", dt.date(2022, 4, 1))
    ingest.commit(store, ingest.plan(store, fixtures / "taichen_screening_20220429.csv"))
    return store


def test_real_files_without_boundaries_list_every_unit_under_the_map(monkeypatch, tmp_path):
    """One county from the sample files: one domain, village reports, no geometry at all."""
    store = taichen_store(tmp_path)
    at = run_page(monkeypatch, store.path, "pages/map.py", unit="411122104000")
    assert_clean(at)
    assert not any(i18n.t("demo_label", "zh") in m.value for m in at.markdown), "real data is not demo data"
    assert len(at.dataframe[0].value) == 12  # every village listed, drillable
    at.switch_page("pages/overview.py").run()
    assert_clean(at)
    assert [m.label for m in at.metric] == ["排查 · 户排查率"]


# ---- the classes a leader reads ------------------------------------------------------------
def test_status_classes_are_relative_to_the_target_and_no_data_is_apart():
    from dashboard.output import charts

    for target in (0.95, 0.60):
        assert charts.status(target, target) == "met"
        assert charts.status(target - 0.05, target) == "near"      # 5 points below: still near
        assert charts.status(target - 0.0501, target) == "below"
        assert charts.status(target - 0.15, target) == "below"
        assert charts.status(target - 0.1501, target) == "far"
    assert charts.status(0.0, 0.95) == "far"
    assert charts.status(None, 0.95) == charts.status(float("nan"), 0.95) == "none"
    labels = [label for _, label, _ in charts.legend(0.60, "en")]
    assert labels[0] == "Met target ≥ 60.0%" and labels[-1] == "No data"


def test_map_labels_are_the_names_as_the_lists_write_them():
    """第10网格 with ASCII digits, as every list writes it (no full-width 第１０网格), as typed (the browser writes it
    as a text node), at its point; the names that fit only on a wider map in a layer of their own (hidden where the
    map is narrow), and the map fitted to its shapes, with nothing to fetch."""
    from dashboard.output import charts

    labels = pd.DataFrame({"name": ["第10网格", "<b>x</b>", "东村"], "lon": [113.0, 113.01, 112.99],
                           "lat": [33.0, 33.0, 33.01], "wide": [False, False, True]})
    base = {"key": "k", "geojson": None, "bounds": (112.9, 32.9, 113.1, 33.1), "labels": labels}
    values = pd.DataFrame({"code": ["1"], "name": ["东村"], "status": ["met"], "tip": [{"title": "东村"}]})
    spec = charts.choropleth(base, values, "zh", 400)
    shapes, narrow, wide = spec["layer"]
    assert [(v["name"], v["lon"]) for v in narrow["data"]["values"]] == [("第10网格", 113.0), ("<b>x</b>", 113.01)]
    assert [v["name"] for v in wide["data"]["values"]] == ["东村"] and wide["mark"]["type"] == "text"
    assert wide["name"] == "labels_wide" and ".labels_wide_marks" in charts.MAP_STYLE
    assert shapes["data"]["values"] == [{"code": "1", "status": "met", "tip": {"title": "东村"}, "about": "东村 1"}]
    assert shapes["params"][0]["name"] == charts.MAP_PICK and spec["projection"] == {"type": "mercator"}
    assert "http" not in json.dumps(spec) and "url" not in json.dumps(spec)  # no tiles, no data fetched
    alt.LayerChart.from_dict(spec, validate=True)  # Vega-Lite's schema (Streamlit draws it unchecked)
    assert charts.unlabelled_names(base, pd.Series(["第10网格", "东村", "西村"]), wide=False) == ["东村", "西村"]
    assert charts.unlabelled_names(base, pd.Series(["第10网格", "东村", "西村"]), wide=True) == ["西村"]
    names = pd.Series(["城关镇", "第1网格", "\U0002AA30岭村", "Ω村"])
    shapes = gpd.GeoSeries([shapely.box(113.0 + i, 33.0, 113.5 + i, 33.5) for i in range(3)]
                           + [shapely.box(116.0, 33.0, 116.01, 33.01)], crs=4326).to_frame("geometry")
    assert list(charts.label_fits(shapes, names, zoom=9)) == [True, True, True, False]  # the last is too small
    crowded = gpd.GeoSeries([shapely.box(113.0, 33.0, 113.5, 33.5), shapely.box(113.0, 33.0, 113.5, 33.49)],
                            crs=4326).to_frame("geometry")
    assert list(charts.label_fits(crowded, names[:2], zoom=9)) == [True, False]  # never one label over another


def test_the_screening_card_lists_its_tallies_as_the_sql_counts_them(monkeypatch, demo_store_path):
    """排查人数, 返乡人员 … (no ratio shows them): each unit's latest grid row within the carry-forward days."""
    lo = codes.num(COUNTY)
    tallies = fields.CARD_TALLIES["screening"]
    sums = sql(demo_store_path, f"""
        with latest as (
            select * from facts
            where domain = 'screening' and prefix_len = 15 and num >= ? and num < ?
              and snapshot_date between ?::date - {CARRY_DAYS} and ?::date
            qualify row_number() over (partition by num order by snapshot_date desc) = 1
        )
        select {", ".join(f"sum({t})" for t in tallies)} from latest
    """, lo, lo + codes.span("county"), LATEST, LATEST)[0]
    at = run_page(monkeypatch, demo_store_path, lang="en")
    assert_clean(at)
    shown = "".join(h.proto.body for h in at.get("html"))
    for name, value in zip(tallies, sums):
        assert value > 0
        cell = re.search(rf"<span>{re.escape(fields.BY_NAME[name].label_en)}</span><b>([^<]*)</b>", shown)
        assert cell, name
        figure = cell.group(1).split(" (")[0]
        assert figure == i18n.fmt_count(value, "en", wan=True), name


def test_a_tally_says_its_change_since_the_previous_snapshot():
    from dashboard.output import model

    assert model.tally_text(model.Tally("returnees", 15312, 204), "zh") == ("返乡人员", "1.53万（+204）")
    assert model.tally_text(model.Tally("positives", 3, 0), "en") == ("Positives", "3")
    assert model.tally_text(model.Tally("home_isolation", 120, -8), "en") == ("Home isolation", "120 (-8)")
    assert model.tally_text(model.Tally("sampled", None, None), "zh") == ("已采样人数", "—")


def test_the_all_fields_switch_lists_every_field_of_the_domain_as_the_rollup_counts_it(monkeypatch, demo_store_path):
    """全部字段: after the indicator's columns, every screening field (排查人数, 返乡人员 …) per township, each equal to
    the township's stored rollup; off, the table keeps to the indicator."""
    at = run_page(monkeypatch, demo_store_path, unit=COUNTY, domain="screening")
    assert_clean(at)
    names = [f.name for f in fields.domain_fields("screening")]
    assert not set(names) & set(at.dataframe[0].value.columns)
    at.toggle(key="children-all-fields").set_value(True).run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert list(table.columns)[-len(names):] == names
    children = rollup.rollup(Store(demo_store_path), COUNTY, "screening", LATEST).children.set_index("name")
    for _, row in table.iterrows():
        for name in names:
            assert row[name] == children.at[row["name"], name], (row["name"], name)
    assert table["persons_checked"].sum() > 0 and table["returnees"].sum() > 0


def test_the_map_colours_a_count_by_quantiles_and_drills_from_the_largest(monkeypatch, demo_store_path):
    """count=returnees: the legend says the classes are quantiles of the count, not a target; the buttons list the
    townships with the most returnees, in the rollup's order; a click drills in and keeps the count."""
    at = run_page(monkeypatch, demo_store_path, "pages/map.py", domain="screening", count="returnees")
    assert_clean(at)
    assert [s.key for s in at.selectbox if s.key == "map-ind"] == []  # the count replaces the ratio: no indicator
    legend = " ".join(m.value for m in at.markdown)
    assert "返乡人员 · 按数量五分位分级（非目标）" in legend
    children = rollup.rollup(Store(demo_store_path), COUNTY, "screening", LATEST).children
    expected = children.sort_values("returnees", ascending=False)["code"].head(5).tolist()
    assert [b.key.removeprefix("top-") for b in at.button if b.key and b.key.startswith("top-")] == expected
    assert not [b for b in at.button if b.key and b.key.startswith("focus-")]
    at.button(key=f"top-{expected[0]}").click().run()
    assert_clean(at)
    assert at.query_params["unit"] == expected[0] and at.query_params["count"] == "returnees"
    at.selectbox(key="map-measure").set_value("ratio").run()
    assert "count" not in at.query_params
    assert at.selectbox(key="map-ind").value == "household_screening_rate"  # back with the ratio
    assert any(b.key and b.key.startswith("focus-") for b in at.button)


def test_map_tooltips_list_the_domain_tallies(demo_store):
    from dashboard.output import model

    day = LATEST
    current = rollup.rollup(demo_store, COUNTY, "screening", day)
    ind = indicators.BY_KEY["household_screening_rate"]
    rows = model.with_tooltips(model.children(current, None, ind, all_fields=True), ind, "zh")
    first = current.children.iloc[0]
    tip = rows.loc[rows["code"] == first["code"], "tip_text"].iloc[0]
    assert f"返乡人员 {i18n.fmt_count(first['returnees'], 'zh')}" in tip
    assert f"居家隔离 {i18n.fmt_count(first['home_isolation'], 'zh')}" in tip


def test_the_map_shows_a_count_per_1000_residents_by_the_residents_rollup(monkeypatch, demo_store_path):
    """per=1000: 返乡人员 / 常住人口 × 1,000 per township, 常住人口 as the testing rollup counts it (register-filled)."""
    at = run_page(monkeypatch, demo_store_path, "pages/map.py", domain="screening", count="returnees", per="1000")
    assert_clean(at)
    assert "每千常住人口返乡人员 · 按数量五分位分级（非目标）" in " ".join(m.value for m in at.markdown)
    store = Store(demo_store_path)
    returnees = rollup.rollup(store, COUNTY, "screening", LATEST).children.set_index("code")["returnees"]
    residents = rollup.rollup(store, COUNTY, "testing", LATEST).children.set_index("code")["resident_population"]
    rate = (returnees / residents * 1000).round(1).sort_values(ascending=False)
    buttons = [b for b in at.button if b.key and b.key.startswith("top-")]
    assert [b.key.removeprefix("top-") for b in buttons] == list(rate.index[:5])
    assert f"{rate.iloc[0]:,.1f}" in buttons[0].label
    at.toggle(key="ctl-per-1000").set_value(False).run()
    assert "per" not in at.query_params and at.query_params["count"] == "returnees"


def test_the_children_table_puts_the_largest_gap_first(monkeypatch, demo_store_path):
    """As the README says: the units furthest behind in people (households) first, not the lowest rate."""
    at = run_page(monkeypatch, demo_store_path, unit=COUNTY, domain="testing")
    assert_clean(at)
    children = rollup.rollup(Store(demo_store_path), COUNTY, "testing", LATEST).children
    expected = children.sort_values(["testing_coverage_gap", "testing_coverage_ratio"], ascending=[False, True],
                                    kind="stable")["name"].tolist()
    assert at.dataframe[0].value["name"].tolist() == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_quality_page_names_no_setting_key(monkeypatch, demo_store_path, lang):
    at = run_page(monkeypatch, demo_store_path, "pages/quality.py", lang=lang)
    assert_clean(at)
    shown = " ".join(c.value for c in at.caption)
    assert "expected_level" not in shown and fields.DOMAIN_LABELS["screening"][lang] in shown


def test_the_briefing_page_without_boundaries_shows_the_children_ranked(monkeypatch, tmp_path):
    store = taichen_store(tmp_path)
    at = run_page(monkeypatch, store.path, "pages/briefing.py", unit="411122104000")
    assert_clean(at)
    assert len(at.get("image")) == 1 and not any(i18n.t("briefing_no_shapes", "zh") in i.value for i in at.info)
    assert any(b.label.startswith("下载排查排名图") or "排名图" in b.label for b in at.get("download_button"))


@pytest.mark.parametrize("day, has_earlier", [(demo_data.FIRST_DATE, False), (LATEST, True)])
def test_the_change_column_is_left_out_where_there_is_no_earlier_snapshot(monkeypatch, demo_store_path, day,
                                                                          has_earlier):
    """Streamlit prints a null as "None": on the first snapshot the 较上次 column would be nothing else."""
    at = run_page(monkeypatch, demo_store_path, unit=COUNTY, domain="testing", date=day.isoformat())
    assert_clean(at)
    shown = at.dataframe[0].value
    assert ("change" in shown.columns) is has_earlier
    if has_earlier:
        assert shown["change"].notna().any()


def test_the_map_page_names_the_units_too_small_for_a_label(monkeypatch, demo_store_path):
    """Under the map: every township that carries no label at the map's zoom (the four central 街道), by name."""
    from dashboard.output import charts
    from dashboard.storage import geo
    from dashboard.ui import data

    at = run_page(monkeypatch, demo_store_path, "pages/map.py", unit=COUNTY)
    assert_clean(at)
    line = next(c.value for c in at.caption if "图中未标名称" in c.value)  # the phone's line comes first
    store = Store(demo_store_path)
    shapes = geo.child_shapes(store, rollup.unit(store, COUNTY))
    names = shapes[["code"]].merge(store.query("unit_children", code=COUNTY)[["code", "name"]])["name"]
    base = data.map_base(store, COUNTY)
    _, zoom = charts.view_for(base["bounds"], charts.PHONE_MAP_PX, base["phone_height"])
    fits = charts.label_fits(data.shapes(store, COUNTY), names, zoom).to_numpy()
    small = set(names[~fits])
    assert small == {n for n in names if n.endswith("街道")} and len(small) == 4
    assert all((n in line) == (n in small) for n in names), line


def test_a_rollback_shows_at_once_on_dates_and_a_trend_already_cached(monkeypatch, demo_store_copy):
    """The cards, the table and the trend read each unit's every-date rollup (indicators added once) and its own rows
    once per store version: a load rolled back (a new version) shows on the next rerun, on the date shown and on a
    date seen before, in the card (against SQL) and in the trend's last point."""
    from dashboard.intake import loads

    db, label = demo_store_copy.path, fields.DOMAIN_LABELS["testing"]["en"]

    def shown(at):
        card = next(m.value for m in at.metric if m.label.startswith(label))
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                  for d in at.get("vega_lite_chart")[0].proto.datasets]  # as Streamlit sends the spec's data
        points = next(f for f in frames if "day" in f and "indicator" in f)
        coverage = points["indicator"] == indicators.BY_KEY["testing_coverage"].label("en")
        return card, points.loc[coverage, "value"].iloc[-1]

    def expected():
        num, den, _, _ = latest_sums(db, "testing", LATEST, COUNTY, 15, "sampled", "resident_population")
        return i18n.fmt_percent(num / den), pytest.approx(num / den * 100)

    at = run_page(monkeypatch, db, lang="en")
    before = shown(at)
    assert before == expected()
    at.selectbox(key="ctl-date").set_value(LATEST - dt.timedelta(days=1)).run()
    at.selectbox(key="ctl-date").set_value(LATEST).run()
    load_id = sql(db, "select max(load_id) from loads where domain = 'testing' and snapshot_date = ?", LATEST)[0][0]
    loads.rollback(demo_store_copy, load_id, "clerk")
    at.run()
    assert_clean(at)
    after = shown(at)
    assert after == expected() and after[1] != before[1]  # the card rounds to 0.1 %: the trend shows the change
