"""The 简报 briefing without a browser: the PPTX deck against the rollup, the images, the command, the page under AppTest.

The figures in the deck are checked against `dashboard.rollup` called here
directly (the unit's own row, and each township's own rollup for the
per-township slides, which the deck cuts out of two level rollups instead),
not against the Brief the deck was made from.
"""
from __future__ import annotations

import datetime as dt
import io
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import PIL.Image
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from dashboard import i18n
from dashboard.analysis import rollup
from dashboard.commands import cli
from dashboard.domain import fields, indicators
from dashboard.example.demo_data import DEMO_DOMAINS
from dashboard.output import briefing, charts, exports, render
from helpers import load, small_store
from test_app import assert_clean, run_page

COUNTY = "990101000000"
TOWNSHIP = "990101101000"  # 城关镇
LATEST = dt.date(2022, 5, 7)


@pytest.fixture(scope="module")
def county_brief(demo_store):
    return briefing.build(demo_store, COUNTY, LATEST, "zh")


@pytest.fixture(scope="module")
def county_deck(demo_store, county_brief):
    return Presentation(io.BytesIO(briefing.deck(county_brief, demo_store, per_child=True)))


def slide_text(slide) -> str:
    """Every text on a slide: text boxes and table cells."""
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def table_rows(slide) -> list[list[str]]:
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in table.rows]


def png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def colour_pixels(image: np.ndarray, hex_colour: str) -> int:
    return int((image == np.array(charts.rgb(hex_colour)[:3])).all(axis=2).sum())


# ---- the deck ---------------------------------------------------------------------------
def test_deck_has_title_one_slide_per_domain_quality_and_one_per_township(demo_store, county_deck):
    townships = demo_store.query("unit_children", code=COUNTY)
    titles = [s.shapes.title.text for s in county_deck.slides]
    name = rollup.unit(demo_store, COUNTY)["name"]
    domain_titles = [f"{fields.DOMAIN_LABELS[d]['zh']} · {indicators.BY_KEY[indicators.MAIN_INDICATOR[d]].label_zh}"
                     for d in DEMO_DOMAINS]
    assert titles[:5] == [f"{name} 网格化排查简报", *domain_titles, "数据质量 · 报告完整性"]
    assert titles[5:] == list(townships.sort_values("num")["name"])
    assert county_deck.slide_width == Emu(int(13.333 * 914400)) and county_deck.slide_height == Emu(7.5 * 914400)
    assert "2022年5月7日" in slide_text(county_deck.slides[0])


@pytest.mark.parametrize("position, domain", [(1, "screening"), (2, "testing"), (3, "vaccination")])
def test_domain_slide_figures_equal_the_rollup(demo_store, county_deck, position, domain):
    ind = indicators.BY_KEY[indicators.MAIN_INDICATOR[domain]]
    own = rollup.rollup(demo_store, COUNTY, domain, LATEST)
    row = own.unit
    text = slide_text(county_deck.slides[position])
    assert i18n.fmt_percent(row[f"{ind.key}_ratio"]) in text
    assert f"{i18n.fmt_count(row[f'{ind.key}_numerator'], 'zh', wan=True)} / " \
           f"{i18n.fmt_count(row[f'{ind.key}_denominator'], 'zh', wan=True)}" in text
    assert f"距目标还差 {i18n.fmt_count(row[f'{ind.key}_gap'], 'zh')}" in text
    assert f"{row['reported']:,} / {row['expected']:,}" in text
    # the gap table: the children with the largest gaps, largest first, each with its own gap and rate
    children = own.children.set_index("name")
    rows = table_rows(county_deck.slides[position])[1:]
    expected_gaps = sorted(children[f"{ind.key}_gap"].dropna().astype(int), reverse=True)[:len(rows)]
    assert [int(r[4].replace(",", "")) for r in rows] == expected_gaps
    for _, name, status, rate, gap in rows:
        assert int(gap.replace(",", "")) == children.loc[name, f"{ind.key}_gap"]
        assert rate == i18n.fmt_percent(children.loc[name, f"{ind.key}_ratio"])
        assert status == charts.status_word(charts.status(children.loc[name, f"{ind.key}_ratio"],
                                                          children.loc[name, f"{ind.key}_target"]), "zh")
    pictures = [s for s in county_deck.slides[position].shapes if s.shape_type == 13]
    assert len(pictures) == 1 and Image.open(io.BytesIO(pictures[0].image.blob)).size == render.MAP_SIZE


def test_quality_slide_counts_equal_the_rollup(demo_store, county_deck):
    rows = table_rows(county_deck.slides[4])
    header, body = rows[0], rows[1:]
    assert header[:7] == ["业务", "数据日期", "应报层级", "应报", "已报", "沿用", "未报"]
    for domain, cells in zip(DEMO_DOMAINS, body):
        unit = rollup.rollup(demo_store, COUNTY, domain, LATEST).unit
        assert cells[0] == fields.DOMAIN_LABELS[domain]["zh"]
        counts = [int(c.replace(",", "")) for c in cells[3:7]]
        assert counts == [unit["expected"], unit["reported"], unit["carried"],
                          unit["expected"] - unit["reported"] - unit["carried"]]


def test_each_township_slide_equals_that_townships_own_rollup(demo_store, county_deck):
    """The per-township slides are cut out of level rollups: each must match the township's own rollup."""
    townships = demo_store.query("unit_children", code=COUNTY).sort_values("num")
    for slide, code in zip(list(county_deck.slides)[5:], townships["code"]):
        text = slide_text(slide)
        for domain in DEMO_DOMAINS:
            ind = indicators.BY_KEY[indicators.MAIN_INDICATOR[domain]]
            own = rollup.rollup(demo_store, code, domain, LATEST)
            assert i18n.fmt_percent(own.unit[f"{ind.key}_ratio"]) in text, (code, domain)
            assert f"距目标还差 {i18n.fmt_count(own.unit[f'{ind.key}_gap'], 'zh')}" in text, (code, domain)
            top = own.children[f"{ind.key}_gap"].dropna().astype(int).sort_values(ascending=False)
            if len(top) and top.iloc[0] > 0:
                top_name = own.children.loc[top.index[0], "name"]
                assert top_name in text, (code, domain, top_name)


def test_english_deck_and_an_earlier_date(demo_store):
    day = dt.date(2022, 5, 1)
    brief = briefing.build(demo_store, TOWNSHIP, day, "en")
    deck = Presentation(io.BytesIO(briefing.deck(brief)))
    assert deck.slides[0].shapes.title.text == f"{rollup.unit(demo_store, TOWNSHIP)['name']} grid-check briefing"
    row = rollup.rollup(demo_store, TOWNSHIP, "testing", day).unit
    assert i18n.fmt_percent(row["testing_coverage_ratio"]) in slide_text(deck.slides[2])
    assert "May 1, 2022" in slide_text(deck.slides[2])


# ---- images --------------------------------------------------------------------------
def test_map_png_is_an_image_of_the_expected_size_in_the_class_colours(county_brief):
    d = county_brief.domain("testing")
    image = png(briefing.map_image(county_brief, d, "png"))
    assert image.shape[:2] == (render.MAP_SIZE[1], render.MAP_SIZE[0])
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50, "not a blank image"
    drawn = d.rows[d.rows["code"].isin(county_brief.shapes["code"])]
    for status, count in drawn["status"].value_counts().items():
        area = colour_pixels(image, charts.COLOURS[status])
        assert area > 20_000 * count / len(drawn), f"{status}: only {area} pixels in its class colour"
    for status in set(charts.STATUSES) - set(drawn["status"]):  # in the legend only: a small swatch
        assert 0 < colour_pixels(image, charts.COLOURS[status]) < 5_000


def test_cjk_names_are_drawn_as_glyphs_not_boxes(county_brief, monkeypatch):
    """Each character draws differently; the same check on a font without CJK sees identical boxes."""
    def bitmaps():
        return [png(render.text_image(ch, size=(120, 120))) for ch in "城关镇"]

    drawn = bitmaps()
    for image in drawn:
        assert (image < 128).any(), "a character drew nothing"
    assert not np.array_equal(drawn[0], drawn[1]) and not np.array_equal(drawn[1], drawn[2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        briefing.map_image(county_brief, county_brief.domains[0], "png")
    monkeypatch.setattr(render, "cjk_family", lambda: "DejaVu Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boxes = bitmaps()
    assert np.array_equal(boxes[0], boxes[1]) and np.array_equal(boxes[1], boxes[2]), "control: tofu looks alike"


def test_svg_is_valid_with_outlined_text(county_brief):
    data = briefing.map_image(county_brief, county_brief.domains[0], "svg")
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    assert root.get("width") == f"{render.MAP_SIZE[0] * 72 / render.DPI:g}pt"
    assert not root.findall(".//{http://www.w3.org/2000/svg}text"), "text must be outlines (no font needed)"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 30


def test_trend_image_and_images_by_name(county_brief):
    image = png(briefing.trend_image(county_brief))
    assert image.shape[:2] == (render.TREND_SIZE[1], render.TREND_SIZE[0])
    for d in county_brief.domains:
        assert colour_pixels(image, charts.DOMAIN_COLOURS[d.domain]) > 500, d.domain
    names = set(briefing.images(county_brief))
    assert names == {f"{d}-map.{f}" for d in DEMO_DOMAINS for f in ("png", "svg")} | {"trend.png", "trend.svg"}


def test_without_a_cjk_font_no_image_is_made(monkeypatch, county_brief):
    monkeypatch.setattr(render, "CJK_FAMILIES", ("No Such Font",))
    monkeypatch.setattr(render, "_FONT_FILES", ())
    with pytest.raises(render.FontMissing) as caught:
        briefing.map_image(county_brief, county_brief.domains[0])
    assert "fonts-noto-cjk" in caught.value.messages[0].text("zh")


def test_a_unit_without_boundaries_gets_no_map_but_a_deck_with_its_children_ranked(tmp_path):
    store = small_store(tmp_path)  # a hand-made county: units and one report, no boundaries
    load(store, tmp_path, "screening_20220501.csv", """\
        code,households_total,households_checked
        990101001001,100,90
        990101101201,50,50
        """)
    brief = briefing.build(store, COUNTY)
    assert brief.shapes.empty and briefing.images(brief).keys() <= {"trend.png", "trend.svg", "screening-ranking.png",
                                                                    "screening-ranking.svg"}
    assert not any(name.endswith("-map.png") for name in briefing.images(brief))
    deck = Presentation(io.BytesIO(briefing.deck(brief)))
    assert [s.shapes.title.text for s in deck.slides][1] == "排查 · 户排查率"
    assert "没有边界数据" not in slide_text(deck.slides[1]) and any(sh.shape_type == 13 for sh in deck.slides[1].shapes)
    assert "93.3%" in slide_text(deck.slides[1])  # (90 + 50) / 150


# ---- the command ----------------------------------------------------------------------
def test_command_writes_deck_and_images_into_a_directory(demo_store_path, tmp_path, capsys):
    out = tmp_path / "nightly"
    assert cli.main(["--db", str(demo_store_path), "briefing", "--unit", COUNTY, "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert "简报_示范县_2022-05-07.pptx" in written
    assert {"testing-map.png", "testing-map.svg", "trend.png"} <= set(written)
    deck = Presentation(str(out / "简报_示范县_2022-05-07.pptx"))
    assert len(deck.slides) == 5
    assert Image.open(out / "testing-map.png").size == render.MAP_SIZE
    assert capsys.readouterr().out.count("已写出") == len(written)


def test_command_writes_one_pptx_file_and_rejects_bad_input(demo_store, demo_store_path, tmp_path, capsys):
    target = tmp_path / "deck.pptx"
    args = ["--db", str(demo_store_path), "--lang", "en", "briefing", "--unit", TOWNSHIP, "--date", "2022-05-03"]
    assert cli.main([*args, "--out", str(target), "--per-child"]) == 0
    assert list(tmp_path.iterdir()) == [target]
    deck = Presentation(str(target))
    villages = len(rollup.rollup(demo_store, TOWNSHIP, "testing").children)
    assert len(deck.slides) == 5 + villages
    assert "May 3, 2022" in slide_text(deck.slides[0])
    assert cli.main(["--db", str(demo_store_path), "briefing", "--unit", "990101999000"]) == 1
    assert "990101999000" in capsys.readouterr().err
    assert cli.main(["--db", str(demo_store_path), "briefing", "--unit", COUNTY, "--date", "2020-01-01"]) == 1
    assert "2020-01-01" in capsys.readouterr().err


# ---- the page and the table downloads -------------------------------------------------
def test_briefing_page_shows_the_headlines_of_the_rollup(monkeypatch, demo_store_path, demo_store):
    at = run_page(monkeypatch, demo_store_path, "pages/briefing.py")
    assert_clean(at)
    assert at.title[-1].value == "示范县 网格化排查简报"
    for domain, metric in zip(DEMO_DOMAINS, at.metric):
        ind = indicators.BY_KEY[indicators.MAIN_INDICATOR[domain]]
        own = rollup.rollup(demo_store, COUNTY, domain, LATEST).unit
        assert metric.value == i18n.fmt_percent(own[f"{ind.key}_ratio"])
    labels = [b.label for b in at.get("download_button")]
    assert "PPT 简报" in labels and "CSV" in labels and "Excel" in labels
    assert "核酸采样地图 PNG" in labels and "走势图 SVG" in labels


def test_present_view_in_english_hides_the_downloads(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, "pages/briefing.py", present="1", lang="en", unit=TOWNSHIP,
                  ind="booster_coverage")
    assert_clean(at)
    assert at.title[-1].value.endswith("grid-check briefing")
    assert len(at.metric) == 3
    assert not at.get("download_button")


def test_overview_table_downloads_with_the_headers_shown(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, lang="en")
    assert_clean(at)
    keys = [b.key for b in at.get("download_button")]
    assert any(k.endswith("-csv") and k.startswith("children-") for k in keys)
    assert any(k.endswith("-xlsx") and k.startswith("children-") for k in keys)


def test_download_helper_renames_to_the_labels_and_neutralises_formulas():
    from dashboard.ui import downloads
    import streamlit as st

    frame = pd.DataFrame({"name": ["=1+1", "东村"], "ratio": [87.5, 90.0], "hidden": [1, 2]})
    labels = {"name": st.column_config.TextColumn("名称"), "ratio": "完成率"}
    shown = downloads.shown(frame, labels)
    assert list(shown.columns) == ["名称", "完成率"]
    back = pd.read_csv(io.BytesIO(exports.csv_bytes(shown)), encoding="utf-8-sig")
    assert list(back["名称"]) == ["'=1+1", "东村"] and list(back["完成率"]) == [87.5, 90.0]
    assert downloads.file_name("示范县/城关 镇", "csv") == "示范县_城关_镇.csv"


def test_without_boundaries_the_deck_and_images_show_the_children_ranked(tmp_path):
    """台陈镇 (临颍县, Henan) has no boundaries: each domain's picture is its villages ranked against the target
    (a PNG of the bars, on the slide), not the words 'no map'."""
    import datetime as dt
    import pathlib

    from pptx import Presentation

    from dashboard.intake import ingest, units
    from dashboard.storage.store import Store

    fixtures = pathlib.Path(__file__).parent / "fixtures"
    store = Store(tmp_path / "taichen.duckdb")
    units.load_units(store, fixtures / "taichen_units.csv", dt.date(2022, 4, 1))
    ingest.commit(store, ingest.plan(store, fixtures / "taichen_screening_20220429.csv"))
    brief = briefing.build(store, "411122104000", lang="zh")
    images = briefing.images(brief)
    assert {"screening-ranking.png", "screening-ranking.svg"} <= set(images)
    assert not any(name.endswith(("-map.png", "-map.svg")) for name in images)
    assert images["screening-ranking.png"][:8] == b"\x89PNG\r\n\x1a\n" and b"<svg" in images["screening-ranking.svg"]
    rows = brief.domain("screening").rows
    assert len(rows) == 12
    image = np.array(PIL.Image.open(io.BytesIO(images["screening-ranking.png"])).convert("RGB"))
    for status in set(rows["status"]):  # every class among the villages is drawn as bars in its colour
        assert colour_pixels(image, charts.COLOURS[status]) > 500, status
    deck = Presentation(io.BytesIO(briefing.deck(brief, store, False)))
    slide = next(s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text == "排查 · 户排查率")
    assert any(sh.shape_type == 13 for sh in slide.shapes)  # a picture
    assert not any(i18n.t("briefing_no_shapes", "zh") in sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def test_a_rounds_label_sits_above_every_line_of_the_trend(county_brief):
    """A new round's label once sat inside the plot, over the 100 % target line: in the PNG it is drawn above the
    axes, clear of the title and subtitle; in the page's charts it is anchored above the plot area."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    assert county_brief.marks, "the demo's trend window holds the start of round 2"
    with matplotlib.rc_context(render._rc()):  # as render.export draws it: the CJK font, sizes
        fig = Figure(figsize=(render.TREND_SIZE[0] / render.DPI, render.TREND_SIZE[1] / render.DPI), dpi=render.DPI)
        FigureCanvasAgg(fig)
        render._draw_trend(fig, county_brief.trend, "zh", "标题", "副标题", county_brief.marks)
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes = fig.axes[0].get_window_extent(renderer)
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "round-label"]
    others = [t.get_window_extent(renderer) for t in fig.texts]  # the title and the subtitle
    assert len(labels) == len(county_brief.marks)
    for label in labels:
        box = label.get_window_extent(renderer)
        assert box.y0 >= axes.y1, "the label must not sit over the plot's lines"
        assert not any(box.overlaps(other) for other in others)
    spec = charts.trend_chart(county_brief.trend, "zh", county_brief.marks).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert len(texts) == 1 and texts[0]["mark"]["y"] < 0 and texts[0]["mark"]["baseline"] == "bottom"  # above the top
    assert spec["padding"]["top"] >= 20  # the room above the plot the label is drawn in


def test_every_unit_on_the_map_picture_is_named_inside_it_or_beside_it(county_brief):
    """The demo's four small central 街道 cannot carry their names inside: they are named under the legend."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    d = county_brief.domains[0]
    with matplotlib.rc_context(render._rc()):
        fig = Figure(figsize=(render.MAP_SIZE[0] / render.DPI, render.MAP_SIZE[1] / render.DPI), dpi=render.DPI)
        FigureCanvasAgg(fig)
        render._draw_map(fig, county_brief.shapes, d.rows, d.head.target, "zh", "标题", "副标题")
    inside = {t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"}
    beside = "".join(t.get_text() for t in fig.texts if t.get_gid() == "unlabelled").replace("\n", "")
    streets = {n for n in d.rows["name"] if n.endswith("街道")}
    assert len(streets) == 4 and not streets & inside and all(n in beside for n in streets)
    assert all(n in inside or n in beside for n in d.rows["name"])
    assert not any(n in beside for n in inside)  # a name is in one place only
