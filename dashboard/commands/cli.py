"""`python -m dashboard …`: the command-line face (no Streamlit here).

Every command prints in the user's language (--lang or DASHBOARD_LANG, Chinese
by default) and exits non-zero on bad input, naming file, row and column.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import sys

import pandas as pd

from .. import i18n
from ..analysis import coverage, rollup
from ..domain import codes, fields
from ..domain.messages import InputError, Message, rows_meant
from ..intake import ingest, loads, population, units
from ..output import exports, templates
from ..storage import configure
from ..storage.store import Store, StoreBusy
from . import cli_access


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    store = Store(args.db)
    try:
        return args.run(store, args)
    except InputError as exc:
        for message in exc.messages:
            print(message.text(args.lang), file=sys.stderr)
        return 1
    except StoreBusy:
        print(i18n.t("err_store_busy", args.lang), file=sys.stderr)
        return 3
    except BrokenPipeError:  # `… | head` closed the pipe: not an error
        sys.stderr.close()
        return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(i18n.t("err_bad_date", i18n.lang_from_env(), value=text)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="网格化排查统计 · grid-check dashboard")
    parser.add_argument("--db", help="store file (default: $DASHBOARD_DB or data/dashboard.duckdb)")
    parser.add_argument("--lang", choices=i18n.LANGS, default=i18n.lang_from_env())
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("units", help="load or update units from CSV/XLSX (code, name)")
    p.add_argument("file")
    p.add_argument("--effective", type=_date, help="date a rename takes effect (default today)")
    p.set_defaults(run=cmd_units)

    p = sub.add_parser("rename", help="rename one unit from a date (its figures and earlier names are kept)")
    p.add_argument("code")
    p.add_argument("name")
    p.add_argument("--effective", type=_date, default=dt.date.today())
    p.set_defaults(run=cmd_rename)

    p = sub.add_parser("retire", help="retire (撤销) one unit from a date; its history is kept")
    p.add_argument("code")
    p.add_argument("--effective", type=_date, default=dt.date.today())
    p.set_defaults(run=cmd_retire)

    p = sub.add_parser("population", help="load the reference population register (code + denominators)")
    p.add_argument("file")
    p.set_defaults(run=cmd_population)

    p = sub.add_parser("boundaries", help="load unit boundaries: GeoJSON, GeoPackage or zipped Shapefile, any CRS")
    p.add_argument("file")
    p.add_argument("--gcj02", action="store_true", help="coordinates are GCJ-02 (Amap-derived): convert to WGS84")
    p.set_defaults(run=cmd_boundaries)

    p = sub.add_parser("ingest", help="load a report file (canonical CSV with a code column)")
    p.add_argument("file")
    p.add_argument("--domain", choices=fields.DOMAINS)
    p.add_argument("--date", type=_date)
    p.add_argument("--hour", type=int, help="as-of hour (截至N时)")
    p.add_argument("--round", type=int, help="testing round (轮次)")
    p.add_argument("--parent", help="code of the unit whose names the file's rows use (when names are ambiguous)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first non-empty sheet)")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--restore", action="store_true",
                   help="if this very file was loaded and rolled back, restore that load (else exit 3)")
    p.add_argument("--user")
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("coverage", help="a unit and its children with every indicator")
    p.add_argument("--unit", required=True)
    p.add_argument("--date", type=_date)
    p.add_argument("--domain", choices=fields.DOMAINS)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(run=cmd_coverage)

    p = sub.add_parser("loads", help="the load history, newest first")
    p.set_defaults(run=cmd_loads)
    for name, text in (("rollback", "roll a load back (its rows are kept)"),
                       ("restore", "restore N: a rolled-back load; restore DIR: the whole store from a backup folder "
                                   "(a folder holding manifest.json)")):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("load_id", type=int if name == "rollback" else str, metavar="N" if name == "rollback" else "N|DIR")
        p.add_argument("--user")
        p.set_defaults(run=cmd_load_status, action=name)

    p = sub.add_parser("backup", help="write the whole store to DIR: one Parquet file per table, manifest.json "
                                      "with checksums (runs while the dashboard serves)")
    p.add_argument("folder", metavar="DIR", help="a new or empty folder")
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("template", help="a blank report template (XLSX) for a unit, its units' codes filled in")
    p.add_argument("--domain", choices=fields.DOMAINS, required=True)
    p.add_argument("--unit", required=True)
    p.add_argument("--level", choices=codes.LEVELS, help="the reporting level (default: the unit's children)")
    p.add_argument("--date", type=_date, default=dt.date.today())
    p.add_argument("--out", help="file to write (default: a name with unit, domain and date)")
    p.set_defaults(run=cmd_template)

    p = sub.add_parser("set", help="change a setting: target.<indicator> 0.95, carry_days 3, expected_level.<domain> grid, "
                                             "domain.<optional domain> on")
    p.add_argument("key")
    p.add_argument("value")
    p.set_defaults(run=cmd_set)

    p = sub.add_parser("round", help="start a testing round in a county: round COUNTY_CODE NUMBER START_DATE")
    p.add_argument("county")
    p.add_argument("number", type=int)
    p.add_argument("start", type=_date)
    p.set_defaults(run=cmd_round)

    p = sub.add_parser("briefing", help="the briefing deck (PPTX) and its images (PNG, SVG) for a unit and date")
    p.add_argument("--unit", required=True)
    p.add_argument("--date", type=_date, help="snapshot date (default: the latest)")
    p.add_argument("--out", help="FILE.pptx (the deck only) or a directory (deck and images; default: 简报_<unit>_<date>)")
    p.add_argument("--per-child", action="store_true", help="one more slide per unit below (e.g. per township)")
    p.set_defaults(run=cmd_briefing)

    p = sub.add_parser("bench", help="benchmark at province scale: ratios against bare DuckDB scans and pandas")
    p.add_argument("--counties", type=int, default=100)
    p.add_argument("--days", type=int, help="days of the province (default 90; --scaling: 3)")
    p.add_argument("--quick", action="store_true", help="2 counties, 4 days, one run each, 3 late corrections: a smoke run (CI)")
    p.add_argument("--browser", action="store_true",
                   help="the pages as a person waits for them, in headless Chromium, on the demo county (--quick: two pages, one run)")
    p.add_argument("--rush", action="store_true",
                   help="the morning rush: --sessions people at once on the overview and the map while two ingests and a "
                        "rollback run, against one person (--quick: 3 sessions, one ingest, one iteration)")
    p.add_argument("--sessions", type=int, default=20, help="--rush: sessions at once")
    p.add_argument("--clients", choices=("ws", "browser"), default="ws",
                   help="--rush: the people as WebSocket clients speaking Streamlit's protocol, rendering nothing "
                        "(default), or as headless Chromium contexts on the same cores")
    p.add_argument("--arrivals", choices=("closed", "reading", "both"), default="both",
                   help="--rush: back to back with no reading time (the worst case), reading each page 5-20 s "
                        "(a morning), or one run of each (default)")
    p.add_argument("--servers", type=int, default=1,
                   help="--rush: Streamlit server processes over the same store, behind one port (sticky per "
                        "connection: enough for --clients ws)")
    p.add_argument("--scaling", action="store_true",
                   help="the scaling table: the store's size, a county's and the top view's page SQL, the top map's "
                        "payload, the dashboard's peak memory and a new day's ingest at each of --scales counties")
    p.add_argument("--scales", type=_scales, default=[10, 100, 1000],
                   help="--scaling: numbers of counties, comma-separated (default 10,100,1000)")
    p.add_argument("--ingest-only", action="store_true",
                   help="only the store's size and the ingest of a corrected and a new day (no pages, render, demo)")
    p.add_argument("--cpu", action="store_true",
                   help="time the ingest and its baselines by CPU time (every thread of the process), not wall time: "
                        "on a shared machine the ratio to the floor moves far less")
    p.add_argument("--folder", default="bench", help="where the synthetic province and its store are cached")
    p.add_argument("--out", help="JSON results file (default: FOLDER/results.json; --rush: written only when given)")
    p.add_argument("--markdown", help="also write the figures as Markdown (e.g. BENCHMARKS.md)")
    p.set_defaults(run=cmd_bench)

    p = sub.add_parser("demo", help="build the demo county store")
    p.add_argument("--seed", type=int)
    p.add_argument("--if-missing", action="store_true", help="do nothing when the store already exists")
    p.set_defaults(run=cmd_demo)

    cli_access.register(sub)  # account add|list|remove|passwd|role|log
    return parser


def cmd_units(store: Store, args) -> int:
    result = units.load_units(store, args.file, args.effective)
    for message in result.warnings:
        print(message.text(args.lang), file=sys.stderr)
    print(i18n.t("units_done", args.lang, added=result.added, renamed=result.renamed, unchanged=result.unchanged))
    return 0


def cmd_rename(store: Store, args) -> int:
    units.rename(store, args.code, args.name, args.effective)
    print(i18n.t("rename_done", args.lang, code=args.code, name=args.name, date=args.effective.isoformat()))
    return 0


def cmd_retire(store: Store, args) -> int:
    units.retire(store, args.code, args.effective)
    print(i18n.t("retire_done", args.lang, code=args.code, date=args.effective.isoformat()))
    return 0


def cmd_population(store: Store, args) -> int:
    rows = population.load_register(store, args.file)
    print(i18n.t("population_done", args.lang, rows=rows))
    return 0


def cmd_boundaries(store: Store, args) -> int:
    from ..intake import boundaries  # geometry libraries load only when asked

    result = boundaries.load_boundaries(store, args.file, args.gcj02)
    print(i18n.t("boundaries_done", args.lang, matched=result.matched, by=result.matched_by,
                 unmatched=len(result.unmatched_features), missing=len(result.units_without_geometry)))
    if result.unmatched_features:
        print(i18n.t("boundaries_unmatched", args.lang, names="、".join(result.unmatched_features[:50])), file=sys.stderr)
    if result.units_without_geometry:
        print(i18n.t("boundaries_missing", args.lang, names="、".join(result.units_without_geometry[:50])),
              file=sys.stderr)
    return 0


ROLLED_BACK_EXIT = 3  # `ingest` of a file loaded before and rolled back: nothing stored (1 is a refused file)


def cmd_ingest(store: Store, args) -> int:
    plan = ingest.plan(store, args.file, args.domain, args.date, args.hour, args.round,
                       parent=args.parent, sheet=args.sheet)
    if plan.ok:
        print(ingest.summary(store, plan, args.lang))
    for message in plan.warnings:
        print(message.text(args.lang), file=sys.stderr)
    if not plan.ok:
        for message in plan.errors:
            print(message.text(args.lang), file=sys.stderr)
        print(i18n.t("load_failed", args.lang, file=plan.file, errors=rows_meant(plan.errors)), file=sys.stderr)
        return 1
    facts = dict(file=plan.file, domain=fields.DOMAIN_LABELS[plan.domain][args.lang],
                 date=plan.snapshot_date.isoformat(), rows=len(plan.frame))
    if args.dry_run:
        print(i18n.t("dry_run_ok", args.lang, **facts))
        return 0
    result = ingest.commit(store, plan, args.user)
    if result.rolled_back and args.restore:
        loads.restore(store, result.load_id, args.user or ingest.current_user())
        print(i18n.t("restore_done", args.lang, load_id=result.load_id))
        return 0
    if result.rolled_back:  # nothing was stored: a nightly job must not read this as a load
        print(i18n.t("load_was_rolled_back", args.lang, file=plan.file, load_id=result.load_id), file=sys.stderr)
        return ROLLED_BACK_EXIT
    key = "load_same" if result.unchanged else "load_done"
    print(i18n.t(key, args.lang, load_id=result.load_id, **facts))
    return 0


def cmd_briefing(store: Store, args) -> int:
    from ..output import briefing  # python-pptx and matplotlib load only for this command

    for path in briefing.write(store, args.unit, args.date, args.lang, args.out, args.per_child):
        print(i18n.t("briefing_written", args.lang, path=path))
    return 0


def cmd_coverage(store: Store, args) -> int:
    result = coverage.coverage(store, args.unit, args.date, args.domain)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        sys.stdout.write(exports.csv_text(coverage.flat_rows(result)))  # as a download writes it
    else:
        print(_table(result, args.lang))
    return 0


def _table(result: dict, lang: str) -> str:
    """A readable table: one line per unit, ratio and gap of each indicator."""
    rows = []
    for row in [result["unit"], *result["children"]]:
        line = {"code": row["code"], "name": row["name"]}
        for key, value in row.items():
            if isinstance(value, dict) and "ratio" in value:
                line[key] = f"{i18n.fmt_percent(value['ratio'])} ({i18n.fmt_count(value['gap'])})"
        rows.append(line)
    header = f"{result['unit']['name']} · {result['date']}  ratio (gap)"
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_rows", 5000):
        return header + "\n" + pd.DataFrame(rows).to_string(index=False)


def cmd_loads(store: Store, args) -> int:
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_rows", 500):
        print(loads.history(store).drop(columns=["sha256"]).to_string(index=False))
    return 0


def _load_or_backup(text):
    """`restore`'s argument: a folder holding manifest.json is a backup (checked first), an integer a load number."""
    from ..storage import backup

    if isinstance(text, int):
        return text
    if backup.is_backup(text):
        return pathlib.Path(text)
    try:
        return int(text)
    except ValueError:
        raise InputError([Message("err_restore_target", {"value": text})]) from None


def cmd_backup(store: Store, args) -> int:
    from ..storage import backup

    manifest = backup.backup(store, args.folder)
    print(i18n.t("backup_done", args.lang, path=args.folder, tables=len(manifest["tables"]),
                 rows=backup.total_rows(manifest)))
    return 0


def cmd_restore_backup(store: Store, args) -> int:
    from ..storage import backup

    manifest = backup.restore(store, args.load_id)
    print(i18n.t("backup_restored", args.lang, path=args.load_id, db=store.path, tables=len(manifest["tables"]),
                 rows=backup.total_rows(manifest), created=manifest["created_at"]))
    return 0


def cmd_load_status(store: Store, args) -> int:
    args.load_id = _load_or_backup(args.load_id)
    if isinstance(args.load_id, pathlib.Path):  # `restore DIR`
        return cmd_restore_backup(store, args)
    action = loads.rollback if args.action == "rollback" else loads.restore
    action(store, args.load_id, args.user or ingest.current_user())
    print(i18n.t(f"{args.action}_done", args.lang, load_id=args.load_id))
    return 0


def cmd_template(store: Store, args) -> int:
    frame = templates.template(store, args.domain, args.unit, args.level, args.lang)
    path = args.out or templates.file_name(store, args.domain, args.unit, args.date, args.lang)
    title = i18n.t("template_title", args.lang, unit=rollup.unit(store, args.unit)["name"],
                   domain=fields.DOMAIN_LABELS[args.domain][args.lang],
                   date=i18n.t("full_date", args.lang, year=args.date.year, month=args.date.month, day=args.date.day))
    with open(path, "wb") as handle:
        handle.write(templates.xlsx_bytes(frame, title))
    print(i18n.t("template_done", args.lang, path=path, rows=len(frame)))
    return 0


def cmd_set(store: Store, args) -> int:
    try:
        configure.put(store, args.key, args.value)
    except KeyError:
        print(i18n.t("err_unknown_setting", args.lang, name=args.key), file=sys.stderr)
        return 1
    except ValueError:
        print(i18n.t("err_switch_value", args.lang, name=args.key, value=args.value), file=sys.stderr)
        return 1
    print(i18n.t("setting_done", args.lang, name=args.key, value=args.value))
    return 0


def cmd_round(store: Store, args) -> int:
    configure.put_round(store, args.county, args.number, args.start)
    print(i18n.t("round_done", args.lang, county=args.county, round=args.number, start=args.start.isoformat()))
    return 0


def cmd_bench(store: Store, args) -> int:
    if args.browser or args.rush:
        return _bench_in_browser(store, args)
    from ..benchmark import bench  # heavy imports only when asked

    folder = pathlib.Path(args.folder)
    if args.scaling:
        return _bench_scaling(folder, args)
    counties, days, repeat, late = (2, 4, 1, 3) if args.quick else (args.counties, args.days or 90, 7, 10)
    result = bench.run(folder, counties, days, repeat, pathlib.Path(args.out or folder / "results.json"),
                       ingest_only=args.ingest_only, late=late, cpu=args.cpu)
    print(bench.table(result))
    if args.markdown:
        command = "python -m dashboard bench" + ("" if (counties, days) == (100, 90) else f" --counties {counties} --days {days}") \
            + (" --ingest-only" if args.ingest_only else "") + (" --cpu" if args.cpu else "")
        pathlib.Path(args.markdown).write_text(bench.markdown(result, command), encoding="utf-8")
    return 0


def _scales(text: str) -> list[int]:
    try:
        scales = [int(part) for part in text.split(",")]
    except ValueError:
        scales = []
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError(i18n.t("err_bad_scales", i18n.lang_from_env(), value=text))
    return scales


def _bench_scaling(folder: pathlib.Path, args) -> int:
    """`bench --scaling`: one row per scale, printed as the Markdown table BENCHMARKS.md carries."""
    from ..benchmark import bench

    rows = bench.scaling(folder, args.scales, args.days or 3, 3, pathlib.Path(args.out or folder / "scaling.json"))
    text = bench.scaling_table(rows)
    print(text)
    if args.markdown:
        pathlib.Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    return 0


def _bench_in_browser(store: Store, args) -> int:
    """The browser benchmark or the rush (--rush) on the demo county (built first where the store is missing)."""
    from ..benchmark import browser, rush
    from ..example import demo

    missing = browser.missing() if not args.rush or args.clients == "browser" else None
    if missing:
        print(i18n.t("bench_no_browser", args.lang, reason=missing), file=sys.stderr)
        return 2
    if not store.exists():
        demo.build(store)
    if args.rush:
        scale = dict(sessions=3, iterations=1, repeat=1, units=1, writers=1) if args.quick else {}
        arrivals = ("closed", "reading") if args.arrivals == "both" else (args.arrivals,)
        results = [rush.run(store.path, **{"sessions": args.sessions, **scale}, clients=args.clients, arrivals=arrival,
                            servers=args.servers) for arrival in arrivals]
        text = "\n".join(map(rush.markdown, results))
        if args.out:  # every visit and writer, with their times: to tell which pages made the p95
            pathlib.Path(args.out).write_text(json.dumps(results, ensure_ascii=False, default=str), encoding="utf-8")
    else:
        pages, repeat = (browser.QUICK_PAGES, 1) if args.quick else (browser.PAGES, 3)
        text = browser.markdown(browser.run(store.path, repeat, pages))
    print(text)
    if args.markdown:
        pathlib.Path(args.markdown).write_text(text, encoding="utf-8")
    return 0


def cmd_demo(store: Store, args) -> int:
    from ..example import demo  # the generator pulls in geometry libraries: load them only when asked

    if args.if_missing and store.exists():
        return 0
    summary = demo.build(store, **({"seed": args.seed} if args.seed is not None else {}))
    print(i18n.t("demo_done", args.lang, path=store.path, **summary))
    return 0
