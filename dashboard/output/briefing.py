"""The 简报 briefing without Streamlit: what a slide shows for a unit and date, its images and the PPTX deck.

Why one module for the page, the download and the nightly command: the
figures on the projected page, in the deck and in the images must be the same
numbers, so all three are built from one `Brief` (rollups from
`dashboard/analysis/rollup.py`, headline arithmetic from `dashboard/output/model.py`, which
is Streamlit-free, the gap ranking from `dashboard/analysis/gaps.py`).
"""
from __future__ import annotations

import datetime as dt
import io
import numbers
import pathlib
import re
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from .. import i18n
from ..analysis import gaps, rollup, rounds
from ..domain import codes, fields, indicators
from ..domain.indicators import Indicator
from ..domain.messages import InputError, Message
from ..storage import geo, settings
from ..storage.store import Store, is_demo
from . import charts, render
from . import model

TOP_GAPS = 8
TREND_SNAPSHOTS = 14


@dataclass(frozen=True)
class DomainBrief:
    """One domain for the briefing: its headline, its children's classes and the largest gaps."""
    domain: str
    ind: Indicator
    day: dt.date
    current: rollup.Rollup
    previous: rollup.Rollup | None
    head: model.Headline
    rows: pd.DataFrame          # model.children: one row per child unit with status
    gaps: pd.DataFrame          # gaps.ranking: largest gap first
    loads: int
    loaded_at: pd.Timestamp | None

    def label(self, lang: str) -> str:
        return i18n.t("card_title", lang, domain=fields.DOMAIN_LABELS[self.domain][lang],
                      indicator=self.ind.label(lang))


@dataclass(frozen=True)
class Brief:
    unit: pd.Series
    date: dt.date
    lang: str
    demo: bool
    carry_days: int
    domains: list[DomainBrief]
    shapes: gpd.GeoDataFrame        # the children's boundaries (WGS84), possibly empty
    trend: list[dict] = field(default_factory=list)
    marks: list[tuple] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def code(self) -> str:
        return str(self.unit["code"])

    def domain(self, name: str) -> DomainBrief | None:
        return next((d for d in self.domains if d.domain == name), None)


# ---- building ---------------------------------------------------------------------
def build(store: Store, code: str, day: dt.date | None = None, lang: str = i18n.DEFAULT_LANG,
          chosen: dict[str, str] | None = None, with_map: bool = True) -> Brief:
    """The briefing of a unit on a date (the latest by default); each domain shows its last snapshot on or before it.

    `chosen` maps a domain to another indicator than its main one (the page's picker).
    """
    unit = rollup.unit(store, code)
    loads, enabled = store.query("snapshot_dates"), settings.enabled_domains(store)
    by_domain = {d: sorted(pd.Timestamp(x).date() for x in g["snapshot_date"]) for d, g in loads.groupby("domain")
                 if d in enabled}
    every = sorted({x for days in by_domain.values() for x in days})
    day = day or (every[-1] if every else dt.date.today())
    if not any(x <= day for x in every):
        raise InputError([Message("briefing_no_data", {"unit": unit["name"], "date": day.isoformat()})])
    values = settings.all_settings(store)
    chosen = chosen or {}
    parts = [_domain(store, code, d, max(x for x in by_domain[d] if x <= day), chosen.get(d), values, loads)
             for d in fields.DOMAINS if any(x <= day for x in by_domain.get(d, []))]
    shapes = geo.simplified(geo.child_shapes(store, unit)) if with_map else gpd.GeoDataFrame(geometry=[], crs=4326)
    series, marks = _trend(store, unit, day, by_domain, values, lang) if with_map else ([], [])
    return Brief(unit=unit, date=day, lang=lang, demo=is_demo(store), carry_days=settings.carry_days(store, values),
                 domains=parts, shapes=shapes, trend=series, marks=marks)


def _domain(store: Store, code: str, domain: str, day: dt.date, chosen: str | None, values, loads) -> DomainBrief:
    current = rollup.rollup(store, code, domain, day, values)
    ind = indicators.BY_KEY[chosen] if chosen in indicators.BY_KEY else indicators.headline_indicator(domain, current.unit)
    target = settings.targets(store, values)[ind.key]
    before_day = rollup.previous_date(store, domain, day)
    previous = rollup.rollup(store, code, domain, before_day, values) if before_day else None
    load = loads[(loads["domain"] == domain) & (pd.to_datetime(loads["snapshot_date"]).dt.date == day)]
    return DomainBrief(
        domain=domain, ind=ind, day=day, current=current, previous=previous,
        head=model.headline(current, previous, ind, target),
        rows=model.children(current, previous, ind), gaps=gaps.ranking(store, code, ind.key, day),
        loads=int(load["loads"].sum()), loaded_at=pd.Timestamp(load["last_loaded_at"].max()) if len(load) else None)


def _trend(store: Store, unit: pd.Series, day: dt.date, by_domain: dict, values, lang: str):
    """The main indicator of each domain over its last snapshots up to the date, and the testing rounds begun then."""
    series, shown = [], []
    for domain in (d for d in fields.DOMAINS if d in by_domain):
        days = [x for x in by_domain[domain] if x <= day][-TREND_SNAPSHOTS:]
        if not days:
            continue
        ind = indicators.BY_KEY[indicators.MAIN_INDICATOR[domain]]
        frame = rollup.trend(store, str(unit["code"]), domain, days[0], days[-1], values)
        frame = frame.assign(ratio=frame[f"{ind.key}_ratio"].astype(float))[["snapshot_date", "ratio"]]
        series.append({"domain": domain, "label": ind.label(lang), "target": settings.targets(store, values)[ind.key],
                       "frame": frame})
        shown += days
    return series, _round_marks(store, unit, sorted(set(shown)), lang)


def _round_marks(store: Store, unit: pd.Series, days: list, lang: str) -> list[tuple]:
    """A new testing round restarts cumulative counts: marked where it began (county level and below)."""
    if not days or codes.PREFIX_LEN[unit["level"]] < codes.PREFIX_LEN["county"]:
        return []
    marks = []
    for number, start in rounds.starts(store, unit["code"]):
        first = next((x for x in days if x >= start), None)
        if days[0] <= start <= days[-1] and first:
            marks.append((first, i18n.t("trend_round", lang, round=int(number))))
    return marks


# ---- words and tables shared by the page, the deck and the images --------------------------
def long_date(day: dt.date, lang: str) -> str:
    """2022年5月7日 / May 7, 2022: a slide is read later, so the year is there."""
    return i18n.t("briefing_long_date", lang, year=day.year, day=day.day,
                  month=day.month if lang == "zh" else f"{day:%B}")


def stamp(when, lang: str) -> str:
    """5月7日 18:32 / May 7 18:32."""
    if when is None or pd.isna(when):
        return "—"
    when = pd.Timestamp(when)
    return f"{i18n.fmt_date(when.date(), lang)} {when:%H:%M}"


def title(brief: Brief) -> str:
    return i18n.t("briefing_title", brief.lang, unit=brief.unit["name"])


def subtitle(brief: Brief) -> str:
    text = i18n.t("briefing_subtitle", brief.lang, date=long_date(brief.date, brief.lang))
    return f"{text} · {i18n.t('demo_label', brief.lang)}" if brief.demo else text


def footnote(brief: Brief, domains: list[DomainBrief] | None = None) -> list[str]:
    """Source (reports per domain, loads, when loaded), denominators used, when generated."""
    lang, domains = brief.lang, brief.domains if domains is None else domains
    sources = [i18n.t("briefing_source_item", lang, domain=fields.DOMAIN_LABELS[d.domain][lang],
                      date=i18n.fmt_date(d.day, lang), loads=d.loads, time=stamp(d.loaded_at, lang))
               for d in domains]
    dens = [i18n.t("briefing_denominator_item", lang, indicator=d.ind.label(lang),
                   source=i18n.t(f"source_{d.head.source}", lang) if d.head.source else "—") for d in domains]
    sep = "；" if lang == "zh" else "; "
    return [i18n.t("briefing_source", lang, items=sep.join(sources)),
            i18n.t("briefing_denominators", lang, items=sep.join(dens)) + " · "
            + i18n.t("briefing_generated", lang, time=stamp(brief.generated_at, lang))]


def headline_lines(d: DomainBrief, lang: str) -> list[str]:
    """The lines under a headline figure: people, gap, change, completeness (the overview card's facts)."""
    head, unit_word = d.head, d.ind.unit_word(lang)
    lines = [i18n.t("card_numden", lang, num=i18n.fmt_count(head.numerator, lang, wan=True),
                    den=i18n.fmt_count(head.denominator, lang, wan=True), unit=unit_word)]
    if head.gap:
        lines.append(i18n.t("card_gap", lang, gap=i18n.fmt_count(head.gap, lang), unit=unit_word))
    elif head.ratio is not None:
        lines.append(i18n.t("card_gap_none", lang))
    change = model.change_text(head.change_points, lang)
    if change and head.previous_date:
        lines.append(i18n.t("briefing_headline_change", lang, change=change,
                            date=i18n.fmt_date(head.previous_date, lang)))
    if head.expected and head.expected_level:
        lines.append(i18n.t("card_complete", lang, reported=i18n.fmt_count(head.reported, lang),
                            expected=i18n.fmt_count(head.expected, lang), carried=i18n.fmt_count(head.carried, lang),
                            level=model.level_words(head.expected_level, lang)))
    return lines


TALLIES_PER_LINE = 3


def tally_lines(d: DomainBrief, lang: str, per_line: int = TALLIES_PER_LINE) -> list[str]:
    """The domain's tallies beside its ratio (排查人数 21.02万 · 返乡人员 655 · …), `per_line` to a line; the figures
    as on the card, without their change (the slide's change is the ratio's: a slide has no room for both)."""
    texts = [" ".join(model.tally_text(replace(t, change=None), lang))
             for t in model.tallies(d.current, d.previous, d.domain)]
    return [" · ".join(texts[n:n + per_line]) for n in range(0, len(texts), per_line)]


GAP_COLUMNS = ("rank", "name", "status", "ratio", "gap", "change")


def gap_rows(d: DomainBrief, count: int = TOP_GAPS) -> pd.DataFrame:
    """The units with the largest gap in people (households), numbers kept numeric: rank, name, status, %, gap, pts."""
    top = d.gaps[d.gaps["gap"].fillna(0) > 0].head(count)
    return pd.DataFrame({
        "rank": range(1, len(top) + 1), "name": top["name"].astype(str).values,
        "status": [charts.status(r, d.head.target) for r in top["ratio"]],
        "ratio": (top["ratio"].astype("Float64") * 100).round(1).values, "gap": top["gap"].astype("Int64").values,
        "change": (top["ratio_change"].astype("Float64") * 100).round(1).values,
    }, columns=list(GAP_COLUMNS))


def gap_labels(d: DomainBrief, lang: str) -> dict[str, str]:
    """The gap table's headers, as on the overview's table."""
    return {"rank": i18n.t("col_rank", lang), "name": i18n.t("col_name", lang), "status": i18n.t("col_status", lang),
            "ratio": i18n.t("col_rate", lang), "gap": i18n.t("col_gap", lang, unit=d.ind.unit_word(lang)),
            "change": i18n.t("col_change", lang)}


def gap_cells(row, lang: str) -> list[str]:
    """One gap row as the texts shown on the page and the slide."""
    change = "—" if pd.isna(row["change"]) else f"{row['change']:+.1f}"
    ratio = "—" if pd.isna(row["ratio"]) else f"{row['ratio']:.1f}%"
    return [str(row["rank"]), str(row["name"]), charts.status_word(row["status"], lang), ratio,
            i18n.fmt_count(row["gap"], lang), change]


def gap_table(d: DomainBrief, lang: str) -> pd.DataFrame:
    """The gap table as downloaded: headers and status words in the reader's language, numbers numeric."""
    rows = gap_rows(d)
    rows["status"] = [charts.status_word(s, lang) for s in rows["status"]]
    return rows.rename(columns=gap_labels(d, lang))


def gaps_heading(d: DomainBrief, lang: str) -> str:
    level = d.rows["level"].mode().iloc[0] if len(d.rows) else "township"
    return i18n.t("briefing_gaps_title", lang, level=model.level_words(level, lang, capital=True))


def quality_table(brief: Brief) -> pd.DataFrame:
    """Reporting completeness per domain from the rollup: expected, reported that day, carried, missing."""
    lang = brief.lang
    rows = []
    for d in brief.domains:
        head = d.head
        missing = max(0, head.expected - head.reported - head.carried)
        rows.append({
            i18n.t("col_domain", lang): fields.DOMAIN_LABELS[d.domain][lang],
            i18n.t("col_snapshot", lang): i18n.fmt_date(d.day, lang),
            i18n.t("col_level", lang): model.level_words(head.expected_level, lang) if head.expected_level else "—",
            i18n.t("col_expected", lang): head.expected, i18n.t("col_reported_today", lang): head.reported,
            i18n.t("col_carried", lang): head.carried, i18n.t("col_missing", lang): missing,
            i18n.t("col_complete", lang): i18n.fmt_percent(head.reported / head.expected) if head.expected else "—",
            i18n.t("col_denominator", lang): i18n.t(f"source_{head.source}", lang) if head.source else "—",
            i18n.t("col_loaded", lang): stamp(d.loaded_at, lang),
        })
    return pd.DataFrame(rows)


# ---- images ---------------------------------------------------------------------------
def map_title(d: DomainBrief, lang: str) -> str:
    return i18n.t("briefing_map_title", lang, indicator=d.ind.label(lang), target=i18n.fmt_percent(d.head.target))


def has_map(brief: Brief, d: DomainBrief) -> bool:
    """At least one child has a boundary (real counties often have none below the county)."""
    return not brief.shapes.empty and bool(brief.shapes["code"].isin(d.rows["code"]).any())


def map_image(brief: Brief, d: DomainBrief, fmt: str = "png") -> bytes | None:
    """The domain's map of the children, or None where no child has a boundary."""
    if not has_map(brief, d):
        return None
    return render.map_image(brief.shapes, d.rows, d.head.target, brief.lang, map_title(d, brief.lang),
                            f"{brief.unit['name']} · {long_date(d.day, brief.lang)}", fmt=fmt)


def ranking_image(brief: Brief, d: DomainBrief, fmt: str = "png") -> bytes | None:
    """The children ranked against the target as bars: the picture where there is no map; None without children."""
    if d.rows.empty:
        return None
    return render.ranking_image(d.rows, d.head.target, brief.lang, map_title(d, brief.lang),
                                f"{brief.unit['name']} · {long_date(d.day, brief.lang)}", fmt=fmt)


def picture(brief: Brief, d: DomainBrief, fmt: str = "png") -> tuple[str, bytes] | None:
    """(file name, image) of the domain's picture: its map, else its children ranked; None when neither exists."""
    found = map_image(brief, d, fmt)
    if found is not None:
        return f"{d.domain}-map.{fmt}", found
    found = ranking_image(brief, d, fmt)
    return None if found is None else (f"{d.domain}-ranking.{fmt}", found)


def trend_image(brief: Brief, fmt: str = "png") -> bytes | None:
    if not brief.trend:
        return None
    return render.trend_image(brief.trend, brief.lang, i18n.t("trend_title", brief.lang), brief.marks,
                              f"{brief.unit['name']} · {long_date(brief.date, brief.lang)}", fmt=fmt)


def images(brief: Brief) -> dict[str, bytes]:
    """Every image of the briefing by file name: each domain's map and the trend, as PNG and SVG."""
    out = {}
    for fmt in render.FORMATS:
        for d in brief.domains:
            found = picture(brief, d, fmt)
            if found is not None:
                out[found[0]] = found[1]
        data = trend_image(brief, fmt)
        if data is not None:
            out[f"trend.{fmt}"] = data
    return out


def file_stem(brief: Brief) -> str:
    """简报_示范县_2022-05-07: the unit's name made safe for a file system."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", str(brief.unit["name"])).strip("_") or brief.code
    return f"{i18n.t('page_briefing', brief.lang)}_{name}_{brief.date.isoformat()}"


# ---- the deck -------------------------------------------------------------------------
FONT = "Microsoft YaHei"  # 微软雅黑 where the deck is opened (Windows); LibreOffice falls back to Noto Sans CJK
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
GREY, DARK = RGBColor(0x55, 0x55, 0x55), RGBColor(0x1A, 0x1A, 0x1A)
_TITLE_ONLY, _TITLE = 5, 0  # layouts of python-pptx's default template


def deck(brief: Brief, store: Store | None = None, per_child: bool = False) -> bytes:
    """The PPTX: title, one slide per domain, data quality; with `per_child`, one slide per child unit."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _title_slide(prs, brief)
    for d in brief.domains:
        _domain_slide(prs, brief, d)
    _quality_slide(prs, brief)
    for child in (_child_briefs(store, brief) if per_child and store is not None else []):
        _child_slide(prs, child)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _child_briefs(store: Store, brief: Brief) -> list[Brief]:
    """The briefing of each child unit on the same date and indicators (headlines and gaps; no maps).

    One level rollup and one gap ranking per domain cover every child at
    once (a rollup per child would take a second each); each child's slice is
    then the rows whose code starts with the child's prefix.
    """
    first = next((d for d in brief.domains if not d.current.children.empty), None)
    if first is None:
        return []
    level = first.current.children["level"].mode().iloc[0]
    below = codes.LEVELS[min(codes.LEVELS.index(level) + 1, len(codes.LEVELS) - 1)]
    values = settings.all_settings(store)
    parts = {d.domain: _below(store, brief.code, d, below, values) for d in brief.domains}
    children = []
    for _, unit in first.current.children.iterrows():
        prefix = str(unit["code"])[:codes.PREFIX_LEN[level]]
        domains = [_child_domain(d, str(unit["code"]), prefix, *parts[d.domain]) for d in brief.domains]
        children.append(Brief(unit=unit, date=brief.date, lang=brief.lang, demo=brief.demo,
                              carry_days=brief.carry_days, domains=[d for d in domains if d is not None],
                              shapes=gpd.GeoDataFrame(geometry=[], crs=4326), generated_at=brief.generated_at))
    return children


def _below(store: Store, code: str, d: DomainBrief, level: str, values) -> tuple:
    """Every unit two levels down for a domain: now, at the previous snapshot, and ranked by gap."""
    now = rollup.level_rollup(store, code, d.domain, level, d.day, values)
    before_day = d.previous.snapshot_date if d.previous is not None else None
    before = rollup.level_rollup(store, code, d.domain, level, before_day, values) if before_day else None
    return now, before, gaps.ranking(store, code, d.ind.key, d.day, level=level)


def _child_domain(d: DomainBrief, code: str, prefix: str, now, before, ranked) -> DomainBrief | None:
    """One child's domain, cut out of its parent's rollups: the same numbers as its own rollup would give."""
    mine = d.current.children[d.current.children["code"] == code]
    if mine.empty:
        return None
    inside = lambda frame: frame[frame["code"].str.startswith(prefix)]  # noqa: E731
    current = rollup.Rollup(d.domain, d.day, d.current.expected_level, mine.iloc[0], inside(now))
    previous = None
    if d.previous is not None and before is not None:
        was = d.previous.children[d.previous.children["code"] == code]
        previous = rollup.Rollup(d.domain, d.previous.snapshot_date, d.previous.expected_level,
                                 was.iloc[0] if len(was) else None, inside(before))
    return DomainBrief(domain=d.domain, ind=d.ind, day=d.day, current=current, previous=previous,
                       head=model.headline(current, previous, d.ind, d.head.target),
                       rows=model.children(current, previous, d.ind), gaps=inside(ranked),
                       loads=d.loads, loaded_at=d.loaded_at)


def _font(run, size: float, bold: bool = False, colour: RGBColor | None = None) -> None:
    """Size, weight, colour and the same typeface for Latin and East Asian text (a:latin and a:ea)."""
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    if colour is not None:
        run.font.color.rgb = colour
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", FONT)


def _lines(frame, lines: list[tuple], align=PP_ALIGN.LEFT) -> None:
    """Fills a text frame: one paragraph per (text, size[, bold[, colour]])."""
    frame.word_wrap = True
    for i, (text, size, *style) in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = str(text)
        _font(run, size, *style)


def _box(slide, left, top, width, height, lines: list[tuple], align=PP_ALIGN.LEFT):
    shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    _lines(shape.text_frame, lines, align)
    return shape


def _titled(prs, text: str, sub: str):
    """A slide with its title in the title placeholder (outline view, accessibility) and a grey subtitle."""
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE_ONLY])
    title_ = slide.shapes.title
    title_.left, title_.top, title_.width, title_.height = Inches(0.5), Inches(0.25), Inches(12.3), Inches(0.75)
    title_.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    _lines(title_.text_frame, [(text, 28, True, DARK)])
    _box(slide, 0.5, 0.95, 12.3, 0.4, [(sub, 14, False, GREY)])
    return slide


def _hex(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _chip(slide, left, top, width, status: str, text: str) -> None:
    """The status word on its class colour, as on the page."""
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(0.42))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _hex(charts.COLOURS[status])
    shape.line.fill.background()
    _lines(shape.text_frame, [(text, 13, True, _hex(charts.TEXT_COLOURS[status]))], PP_ALIGN.CENTER)


def _headline(slide, d: DomainBrief, lang: str, left: float, top: float, width: float, facts: int = 5,
              label: bool = True) -> None:
    """Label (unless the slide's title says it), the ratio in large type, the status chip with the target, the facts."""
    head = d.head
    if label:
        _box(slide, left, top, width, 0.5, [(d.ind.label(lang), 15, True, GREY)])
    _box(slide, left, top + 0.45, width, 1.0, [(i18n.fmt_percent(head.ratio), 48, True, DARK)])
    _chip(slide, left + 0.05, top + 1.55, 1.8, head.status, charts.status_word(head.status, lang))
    _box(slide, left + 1.95, top + 1.55, width - 1.95, 0.42,
         [(i18n.t("card_target", lang, target=i18n.fmt_percent(head.target)), 14, False, GREY)])
    _box(slide, left, top + 2.1, width, 2.4, [(line, 13, False, DARK) for line in headline_lines(d, lang)[:facts]]
         + [(line, 12, False, GREY) for line in tally_lines(d, lang)])


def _table(slide, frame: pd.DataFrame, left, top, width, widths: list[float], size: float = 12,
           statuses: list[str] | None = None, status_col: int | None = None) -> None:
    """A native (editable) table; the status column coloured by class."""
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(width), Inches(0.38 * rows))
    table = shape.table
    for j, w in enumerate(widths):
        table.columns[j].width = Inches(w)
    for j, name in enumerate(frame.columns):
        _cell(table.cell(0, j), str(name), size, bold=True)
    for i, values in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            _cell(cell, _shown(value), size)
            if statuses is not None and j == status_col:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _hex(charts.COLOURS[statuses[i - 1]])
                _font(cell.text_frame.paragraphs[0].runs[0], size, True, _hex(charts.TEXT_COLOURS[statuses[i - 1]]))


def _shown(value) -> str:
    """A table value as text: counts with thousands separators, nothing as a dash."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    return f"{value:,}" if isinstance(value, numbers.Integral) else str(value)


def _cell(cell, text: str, size: float, bold: bool = False) -> None:
    cell.text_frame.paragraphs[0].text = ""
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = text
    _font(run, size, bold)
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)


def _gaps(slide, d: DomainBrief, lang: str, left, top, width, count: int = TOP_GAPS, size: float = 11) -> None:
    """The heading and the table of the largest gaps (rank, name, status, rate, gap)."""
    _box(slide, left, top, width, 0.4, [(gaps_heading(d, lang), 13, True, DARK)])
    rows = gap_rows(d, count)
    if rows.empty:
        _box(slide, left, top + 0.45, width, 0.4, [(i18n.t("briefing_gaps_none", lang), 12, False, GREY)])
        return
    labels = gap_labels(d, lang)
    shown = pd.DataFrame([gap_cells(r, lang)[:5] for _, r in rows.iterrows()],
                         columns=[labels[c] for c in GAP_COLUMNS[:5]])
    rank = 0.45
    rest = [(width - rank) * share for share in (0.34, 0.21, 0.21, 0.24)]
    _table(slide, shown, left, top + 0.45, width, [rank, *rest], size, list(rows["status"]), status_col=2)


def _title_slide(prs, brief: Brief) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE])
    title_, sub = slide.shapes.title, slide.placeholders[1]
    title_.left, title_.top, title_.width, title_.height = Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.3)
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.4), Inches(11.7), Inches(0.8)
    _lines(title_.text_frame, [(title(brief), 40, True, DARK)], PP_ALIGN.CENTER)
    _lines(sub.text_frame, [(subtitle(brief), 20, False, GREY)], PP_ALIGN.CENTER)
    summary = "   ".join(f"{d.ind.label(brief.lang)} {i18n.fmt_percent(d.head.ratio)}" for d in brief.domains)
    _box(slide, 0.8, 4.5, 11.7, 0.6, [(summary, 20, True, DARK)], PP_ALIGN.CENTER)
    _box(slide, 0.8, 6.6, 11.7, 0.6, [(line, 10, False, GREY) for line in footnote(brief)], PP_ALIGN.CENTER)


def _domain_slide(prs, brief: Brief, d: DomainBrief) -> None:
    """Headline figures left, the map in the middle, the largest gaps right, source and denominator below."""
    lang = brief.lang
    slide = _titled(prs, d.label(lang), f"{brief.unit['name']} · {long_date(d.day, lang)}")
    _headline(slide, d, lang, 0.5, 1.3, 3.3, label=False)
    found = picture(brief, d)
    if found is not None:
        slide.shapes.add_picture(io.BytesIO(found[1]), Inches(3.75), Inches(1.55), width=Inches(5.25))
    else:
        _box(slide, 3.75, 3.5, 5.25, 0.6, [(i18n.t("briefing_no_shapes", lang), 14, False, GREY)], PP_ALIGN.CENTER)
    _gaps(slide, d, lang, 9.05, 1.55, 3.9)
    _box(slide, 0.5, 6.75, 12.3, 0.6, [(line, 9, False, GREY) for line in footnote(brief, [d])])


def _quality_slide(prs, brief: Brief) -> None:
    lang = brief.lang
    slide = _titled(prs, i18n.t("briefing_quality_title", lang), subtitle(brief))
    frame = quality_table(brief)
    widths = [1.35, 1.2, 1.3, 0.95, 0.95, 0.95, 0.95, 1.1, 1.7, 1.85]
    _table(slide, frame, 0.5, 1.7, sum(widths), widths, size=14)
    _box(slide, 0.5, 1.9 + 0.38 * (len(frame) + 1), 12.3, 0.8,
         [(i18n.t("briefing_quality_note", lang, days=brief.carry_days), 12, False, GREY)])
    _box(slide, 0.5, 6.75, 12.3, 0.6, [(line, 9, False, GREY) for line in footnote(brief)])


def _child_slide(prs, child: Brief) -> None:
    """A child unit: its three headline figures side by side, under each its own largest gaps."""
    lang = child.lang
    slide = _titled(prs, str(child.unit["name"]), subtitle(child))
    for i, d in enumerate(child.domains[:3]):
        left = 0.5 + i * 4.2
        _headline(slide, d, lang, left, 1.45, 3.9, facts=2)
        _gaps(slide, d, lang, left, 4.25, 3.9, count=5, size=10)


# ---- the command line -----------------------------------------------------------------
def write(store: Store, code: str, day: dt.date | None, lang: str, out: str | None,
          per_child: bool = False) -> list[pathlib.Path]:
    """`briefing` command: the deck to FILE.pptx, or the deck and every image into a directory."""
    brief = build(store, code, day, lang)
    target = pathlib.Path(out) if out else pathlib.Path(file_stem(brief))
    if target.suffix.lower() == ".pptx":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(deck(brief, store, per_child))
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = [target / f"{file_stem(brief)}.pptx"]
    written[0].write_bytes(deck(brief, store, per_child))
    for name, data in images(brief).items():
        written.append(target / name)
        written[-1].write_bytes(data)
    return written
