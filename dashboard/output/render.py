"""Server-side images of the map and the trend, as PNG and SVG, for slides and the nightly briefing.

Why matplotlib and not the on-screen Plotly figures through kaleido: no browser
process at render time (the Streamlit server and a cron job stay simple and
offline), about 0.3 s per image, and SVG text drawn as outlines, so the Chinese
glyphs survive on a machine without the font. What must match the screen comes
from `dashboard/output/charts.py`: status classes, colours, legend words and ranges,
domain colours of the trend. The CJK font is Noto Sans CJK from fonts-noto-cjk;
without a CJK font nothing is drawn (`FontMissing`), because an image with empty
boxes for every name is worse than no image.
"""
from __future__ import annotations

import io
import re
import threading

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib import font_manager, patheffects, ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .. import i18n
from ..domain.messages import InputError, Message
from . import charts

DPI = 200
MAP_SIZE = (1600, 1200)      # pixels: a 4:3 block beside the figures on a 16:9 slide
TREND_SIZE = (1600, 700)
FORMATS = ("png", "svg")
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei",
                "Microsoft YaHei", "SimHei")
_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
               "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
LABEL_PT = 11
LEGEND_X = 0.64  # the map takes the left of the image, the legend the right
_LOCK = threading.Lock()  # rcParams are process-wide: one image at a time (Streamlit sessions share a process)


class FontMissing(InputError):
    """No CJK font on this machine: names would be drawn as empty boxes."""

    def __init__(self):
        super().__init__([Message("briefing_font_missing")])


def cjk_family() -> str:
    """The first CJK font family matplotlib knows; a font installed after its cache was built is added here."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FAMILIES if name in known), None)
    if found is None:
        for path in _FONT_FILES:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):
                continue
        known = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FAMILIES if name in known), None)
    if found is None:
        raise FontMissing()
    return found


def _rc() -> dict:
    return {"font.family": [cjk_family(), "DejaVu Sans"], "svg.fonttype": "path", "axes.unicode_minus": False,
            "svg.hashsalt": "briefing",  # hashsalt: the same data gives the same SVG
            "text.parse_math": False}  # names are data: '$' in a name is a dollar sign, never TeX (nor a crash)


def export(build, size: tuple[int, int], fmt: str) -> bytes:
    """Runs `build(fig)` on a fresh figure of exactly `size` pixels and returns the PNG or SVG bytes."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    with _LOCK, matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        build(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=DPI, facecolor="white")
    return buffer.getvalue()


def text_image(text: str, size: tuple[int, int] = (400, 120), fmt: str = "png") -> bytes:
    """One line of text alone, in the font the maps use: lets a test see that the glyphs are real."""
    return export(lambda fig: fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=24), size, fmt)


# ---- the map --------------------------------------------------------------------------
def map_image(shapes: gpd.GeoDataFrame, rows: pd.DataFrame, target: float, lang: str, title: str,
              subtitle: str = "", fmt: str = "png", size: tuple[int, int] = MAP_SIZE) -> bytes:
    """The child units coloured by class against the target, names where they fit, the legend with counts.

    `rows`: code, name, status (as `dashboard.ui.model.children` gives them).
    The legend is the map page's: class word, ratio range for this target, and
    how many units fall in each class; units without a boundary are counted
    there and named in a note under the map, never silently dropped.
    """
    return export(lambda fig: _draw_map(fig, shapes, rows, target, lang, title, subtitle), size, fmt)


def _heading(fig: Figure, title: str, subtitle: str) -> None:
    """The title and the line under it, at the top left of a map-sized picture (the map, the ranking)."""
    fig.text(0.03, 0.965, title, fontsize=17, fontweight="bold", va="top")
    if subtitle:
        fig.text(0.03, 0.905, subtitle, fontsize=12, color="#555555", va="top")


def _draw_map(fig: Figure, shapes, rows: pd.DataFrame, target: float, lang: str, title: str, subtitle: str) -> None:
    _heading(fig, title, subtitle)
    ax = fig.add_axes((0.02, 0.04, LEGEND_X - 0.04, 0.82))
    ax.set_axis_off()
    drawn = shapes[["code", "geometry"]].merge(rows[["code", "name", "status"]], on="code", how="inner")
    if not drawn.empty:
        drawn = drawn.to_crs(3857)  # Web Mercator, as the on-screen map
        drawn.plot(ax=ax, color=drawn["status"].map(charts.COLOURS), edgecolor=charts.LINE_COLOUR, linewidth=1.0)
        ax.set_aspect("equal")
        ax.margins(0.02)
        unlabelled = _labels(fig, ax, drawn)
        if unlabelled:  # named beside the map, under the legend: every unit drawn is named somewhere
            text = i18n.t("map_unlabelled", lang, names=charts.name_list(unlabelled, lang))
            fig.text(LEGEND_X, 0.24, "\n".join(_wrap(text, 18 if lang == "zh" else 34)), fontsize=10,
                     color="#333333", va="top", gid="unlabelled")
    _legend(fig, rows["status"], target, lang)
    missing = len(set(rows["code"]) - set(drawn["code"]))
    if missing:
        fig.text(LEGEND_X, 0.06, i18n.t("briefing_map_unmapped", lang, count=missing), fontsize=10, color="#555555")


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken after a list's separator or a space, never inside a name."""
    lines = [""]
    for piece in re.split(r"(?<=[、：:,\s])", text):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return [line.strip() for line in lines]


def _labels(fig: Figure, ax, drawn: gpd.GeoDataFrame) -> list[str]:
    """Names inside their units, where the name fits the unit's box at this scale (as on screen); returns the
    names that did not fit."""
    fig.canvas.draw()  # fixes the axes limits, so data units can be turned into pixels
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = ax.get_window_extent()
    px_per_m = min(box.width / (x1 - x0), box.height / (y1 - y0))
    char_px = LABEL_PT * DPI / 72
    bounds = drawn.bounds
    points = drawn.geometry.representative_point()
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    unlabelled = []
    for name, point, (minx, miny, maxx, maxy) in zip(drawn["name"], points, bounds.values):
        text = str(name)
        fits = (maxx - minx) * px_per_m >= len(text) * char_px * 1.1 and (maxy - miny) * px_per_m >= char_px * 1.8
        if fits:
            ax.text(point.x, point.y, text, ha="center", va="center", fontsize=LABEL_PT, color="#1a1a1a",
                    path_effects=halo, gid="label")
        else:
            unlabelled.append(text)
    return unlabelled


def _legend(fig: Figure, statuses: pd.Series, target: float, lang: str) -> None:
    """The map page's legend at the right; its type shrinks until the longest label fits inside the image."""
    counts = statuses.value_counts()
    handles = [Patch(facecolor=colour, edgecolor="#9e9e9e", label=f"{label} · {int(counts.get(key, 0))}")
               for key, label, colour in charts.legend(target, lang)]
    for size in (12, 11, 10, 9, 8):
        legend = fig.legend(handles=handles, loc="center left", bbox_to_anchor=(LEGEND_X, 0.5), frameon=False,
                            fontsize=size, handlelength=1.4, handleheight=1.2, labelspacing=0.9)
        fig.canvas.draw()
        if legend.get_window_extent().x1 <= fig.bbox.width * 0.99:
            return
        legend.remove()
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(LEGEND_X, 0.5), frameon=False, fontsize=8)


# ---- the children ranked (where no child has a boundary) ------------------------------
RANKED_MAX = 20


def ranking_image(rows: pd.DataFrame, target: float, lang: str, title: str, subtitle: str = "", fmt: str = "png",
                  size: tuple[int, int] = MAP_SIZE) -> bytes:
    """The children's ratios as bars, lowest first, in their class colours, the target dashed: the picture a slide
    shows where no child has a boundary (most real counties at first), instead of none."""
    return export(lambda fig: _draw_ranking(fig, rows, target, lang, title, subtitle), size, fmt)


def _draw_ranking(fig: Figure, rows: pd.DataFrame, target: float, lang: str, title: str, subtitle: str) -> None:
    _heading(fig, title, subtitle)
    ranked = rows.assign(shown=rows["ratio"].astype("Float64")).sort_values("shown", na_position="first")
    shown = ranked.head(RANKED_MAX).iloc[::-1]  # barh draws bottom-up: the lowest rate at the top
    ax = fig.add_axes((0.26, 0.1, 0.66, 0.76))
    values = (shown["shown"].astype(float) * 100).fillna(0).to_numpy()
    ax.barh(range(len(shown)), values, color=shown["status"].map(charts.COLOURS).tolist(), edgecolor="#9e9e9e",
            linewidth=0.6)
    ax.set_yticks(range(len(shown)), [str(n) for n in shown["name"]], fontsize=11)
    for y, (value, ratio, status) in enumerate(zip(values, shown["shown"], shown["status"])):
        inside = value >= 15  # the figure at the bar's end, inside it, clear of the target's line
        ax.text(value - 0.8 if inside else value + 0.5, y, "—" if pd.isna(ratio) else i18n.fmt_percent(ratio),
                va="center", ha="right" if inside else "left", fontsize=10,
                color=charts.TEXT_COLOURS[status] if inside else "#1a1a1a")
    ax.axvline(target * 100, color="#333333", linewidth=1.2, linestyle="--")
    ax.text(target * 100, len(shown) - 0.4, i18n.t("card_target", lang, target=i18n.fmt_percent(target)),
            ha="right", va="bottom", fontsize=10, color="#333333")
    ax.set_xlim(0, max(105.0, float(values.max(initial=0)) + 8))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(ranked) > RANKED_MAX:
        fig.text(0.26, 0.03, i18n.t("briefing_ranked_more", lang, count=len(ranked) - RANKED_MAX), fontsize=10,
                 color="#555555")


# ---- the trend ------------------------------------------------------------------------
def trend_image(series: list[dict], lang: str, title: str, marks: list[tuple] = (), subtitle: str = "",
                fmt: str = "png", size: tuple[int, int] = TREND_SIZE) -> bytes:
    """The main indicator of each domain per snapshot, its target dotted (`series`, `marks`: as charts.trend_chart)."""
    return export(lambda fig: _draw_trend(fig, series, lang, title, subtitle, marks), size, fmt)


def _draw_trend(fig: Figure, series: list[dict], lang: str, title: str, subtitle: str, marks) -> None:
    fig.text(0.03, 0.95, title, fontsize=13, fontweight="bold", va="top")
    if subtitle:
        fig.text(0.03, 0.86, subtitle, fontsize=10, color="#555555", va="top")
    ax = fig.add_axes((0.07, 0.25, 0.9, 0.5 if marks else 0.55))  # room above the axes for the rounds' labels
    days = sorted({pd.Timestamp(d) for item in series for d in item["frame"]["snapshot_date"]})
    position = {d: i for i, d in enumerate(days)}
    for item in series:
        frame, colour = item["frame"], charts.DOMAIN_COLOURS[item["domain"]]
        x = [position[pd.Timestamp(d)] for d in frame["snapshot_date"]]
        ax.plot(x, frame["ratio"].astype(float) * 100, color=colour, linewidth=2.2, marker="o", markersize=3.5,
                label=item["label"])
        ax.plot([min(x), max(x)] if x else [], [item["target"] * 100] * (2 if x else 0), color=colour,
                linewidth=1, linestyle=":")
    for day, text in marks:
        x = position.get(pd.Timestamp(day))
        if x is not None:
            ax.axvline(x, color="#888888", linewidth=1, linestyle="--")
            ax.text(x, 1.02, text, transform=ax.get_xaxis_transform(), fontsize=8, color="#555555", va="bottom",
                    gid="round-label")  # above the axes: no line runs under it
    step = max(1, len(days) // 7)
    ax.set_xticks(range(0, len(days), step), [charts.fmt_day(d, lang) for d in days][::step], fontsize=9)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.tick_params(axis="y", labelsize=9)
    ax.grid(axis="y", color="#eeeeee")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncol=max(1, len(series)), frameon=False, fontsize=9)
