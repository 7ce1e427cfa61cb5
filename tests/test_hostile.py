"""Hostile and broken input: files refused by name before parsing, exports without formulas, SQL only with bound values.

Every refusal is checked the three ways a file arrives: `ingest.plan` (the
message key), the CLI (exit 1, the file named, no traceback) and the import
page (AppTest: an error naming the file, no exception); after each, the
store's tables hold exactly what they held before. Expected values are read
back from the store with SQL written here, never from the code under test.
"""
from __future__ import annotations

import ast
import datetime as dt
import io
import json
import os
import pathlib
import re
import tomllib
import zipfile

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.commands import cli
from dashboard.domain.messages import InputError
from dashboard.intake import ingest, limits, units
from dashboard.output import exports
from dashboard.output import import_model
from dashboard.output.import_model import Upload
from dashboard.storage.store import Store
from tests.helpers import COUNTY, EAST, G_JIA_1, NORTH, V_JIA, small_store, sql

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
TABLES = ("units", "unit_names", "facts", "facts_history", "loads", "load_events", "rollups", "village_rollups", "population", "settings")
INJECTIONS = ("'; drop table facts; --", "990101' or '1'='1", "%", "_", "\" or \"\"=\"", "1; delete from units",
              "名称\u202e反转\u200b", "👨‍👩‍👧 网格", "x" * 5000, "$name", "$1", "?", "\\", "NULL")
NAMES = tuple(n for n in INJECTIONS if len(n) <= limits.MAX_NAME_CHARS) + ("x" * limits.MAX_NAME_CHARS,)


def counts(store: Store) -> dict:
    """Rows per table, read with a plain read-only connection: what 'the store is intact' means here."""
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}  # fixed names, a test
    finally:
        con.close()



@pytest.fixture
def loaded(tmp_path) -> Store:
    """The small county with one testing report of its grids (a copy of one loaded once per process)."""
    return small_store(tmp_path, report=f"""\
        code,resident_population,sampled
        {G_JIA_1},100,80
        """)


# ---- broken and oversized files ------------------------------------------------------------

def _xlsx(rows, sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    for i in range(sheets):
        ws = book.active if i == 0 else book.create_sheet(f"S{i}")
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [["code", "resident_population", "sampled"], [G_JIA_1, 100, 90]]


def _rezipped(data: bytes, change) -> bytes:
    """The workbook with `change(name, bytes) -> bytes` applied to each member."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, change(name, src.read(name)))
    return out.getvalue()


def _bomb() -> bytes:
    """A real workbook plus a sheet member of 64 MB of zeros deflated to a few dozen KB (ratio ~1000)."""
    out = io.BytesIO(_xlsx(GOOD_ROWS))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/worksheets/sheet9.xml", "w") as member:
        for _ in range(64):
            member.write(b"0" * limits.MB)
    return out.getvalue()


def _lying_directory() -> bytes:
    """A workbook whose zip directory claims a 3 GB member: refused from the directory alone, nothing inflated."""
    data = bytearray(_xlsx(GOOD_ROWS))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    at = 0
    while True:  # find this member's central directory record and set its uncompressed size (offset 24)
        at = data.index(b"PK\x01\x02", at)
        name_len = int.from_bytes(data[at + 28: at + 30], "little")
        if bytes(data[at + 46: at + 46 + name_len]).decode() == info.filename:
            data[at + 24: at + 28] = (3 * 1024 ** 3).to_bytes(4, "little")
            break
        at += 4
    return bytes(data)


def _billion_laughs() -> bytes:
    """Entity expansion inside the sheet XML: small on disk and in the zip directory; defusedxml refuses it."""
    entities = "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                       for i in range(1, 10))
    laughs = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">{entities}]>'

    def change(name, raw):
        if name == "xl/worksheets/sheet1.xml":
            return raw.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"").replace(
                b"<worksheet", laughs.encode() + b"<worksheet", 1).replace(b">90<", b">&lol9;<")
        return raw
    return _rezipped(_xlsx(GOOD_ROWS), change)


def _claims_rows(rows: int) -> bytes:
    """A small workbook whose <dimension> declares `rows` rows: refused before its cells are read."""
    def change(name, raw):
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb'<dimension ref="[^"]+"', f'<dimension ref="A1:C{rows}"'.encode(), raw)
        return raw
    return _rezipped(_xlsx(GOOD_ROWS), change)


def _unclosed_quote() -> bytes:
    lines = [f"code,resident_population,sampled", f'"{G_JIA_1},100,90'] + ["x,1,2"] * 40_000
    return "\n".join(lines).encode()


BROKEN = {  # name: (bytes, key via a path of that name, key via the import page, which reads by content)
    "空文件.csv": (lambda: b"", "err_zero_bytes", "err_zero_bytes"),
    "二进制.csv": (lambda: bytes(range(256)) * 40, "err_binary_file", "err_binary_file"),
    "含NUL.csv": (lambda: b"code,sampled\n" + G_JIA_1.encode() + b",\x00\x00\n", "err_binary_file", "err_binary_file"),
    "随机字节.xlsx": (lambda: os.urandom(4096).replace(b"PK", b"pk"), "err_not_xlsx", None),
    "截断.xlsx": (lambda: _xlsx(GOOD_ROWS)[:2500], "err_not_xlsx", "err_not_xlsx"),
    "压缩炸弹.xlsx": (_bomb, "err_zip_bomb", "err_zip_bomb"),
    "目录造假.xlsx": (_lying_directory, "err_zip_bomb", "err_zip_bomb"),
    "实体炸弹.xlsx": (_billion_laughs, "err_corrupt_xlsx", "err_corrupt_xlsx"),
    "行数声明.xlsx": (lambda: _claims_rows(limits.MAX_ROWS + 10_000), "err_too_many_rows", "err_too_many_rows"),
    "工作表太多.xlsx": (lambda: _xlsx(GOOD_ROWS, sheets=limits.MAX_SHEETS + 1), "err_too_many_sheets",
                   "err_too_many_sheets"),
    "列太多.xlsx": (lambda: _xlsx([[f"c{i}" for i in range(limits.MAX_COLUMNS + 1)]]), "err_too_many_columns",
                 "err_too_many_columns"),
    "列太多.csv": (lambda: (",".join(f"c{i}" for i in range(limits.MAX_COLUMNS + 1)) + "\n1\n").encode(),
                "err_too_many_columns", "err_too_many_columns"),
    "单行10MB.csv": (lambda: b"code," + b"9" * (10 * limits.MB), "err_line_too_long", "err_line_too_long"),
    "行太多.csv": (lambda: b"code,sampled\n" + f"{G_JIA_1},1\n".encode() * (limits.MAX_ROWS + 101),
                "err_too_many_rows", "err_too_many_rows"),
    "引号未闭合.csv": (_unclosed_quote, "err_bad_csv", "err_bad_csv"),
}
BROKEN["随机字节.xlsx"] = (BROKEN["随机字节.xlsx"][0], "err_not_xlsx", "err_binary_file")  # the page reads by content


@pytest.fixture(scope="module")
def broken_files(tmp_path_factory) -> dict[str, pathlib.Path]:
    folder = tmp_path_factory.mktemp("broken")
    paths = {}
    for name, (make, _, _) in BROKEN.items():
        paths[name] = folder / name
        paths[name].write_bytes(make())
    return paths


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_or_oversized_file_is_refused_by_name_everywhere_and_nothing_is_stored(
        name, broken_files, loaded, capsys):
    path, (_, key, page_key) = broken_files[name], BROKEN[name]
    before = counts(loaded)
    plan = ingest.plan(loaded, path)
    assert [m.key for m in plan.errors] == [key], [m.text("en") for m in plan.errors]
    assert all(name in m.text(lang) for m in plan.errors for lang in i18n.LANGS)  # the message names the file
    assert cli.main(["--db", str(loaded.path), "--lang", "en", "ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert name in err and "Traceback" not in err and plan.errors[0].text("en") in err
    via_page = import_model.plan_upload(loaded, Upload(name, path.read_bytes()))
    assert [m.key for m in via_page.errors] == [page_key]
    assert name in via_page.errors[0].text("zh")
    assert counts(loaded) == before


@pytest.mark.parametrize("name", ["空文件.csv", "二进制.csv", "截断.xlsx", "压缩炸弹.xlsx", "单行10MB.csv", "列太多.csv"])
def test_a_broken_units_file_is_refused_by_the_units_command(name, broken_files, loaded, capsys):
    before = counts(loaded)
    assert cli.main(["--db", str(loaded.path), "units", str(broken_files[name])]) == 1
    err = capsys.readouterr().err
    assert name in err and "Traceback" not in err
    assert counts(loaded) == before


def test_a_missing_file_or_a_folder_is_named_not_a_traceback(loaded, tmp_path, capsys):
    for target in (tmp_path / "没有这个文件.csv", tmp_path):
        assert cli.main(["--db", str(loaded.path), "--lang", "en", "ingest", str(target)]) == 1
        err = capsys.readouterr().err
        assert target.name in err and "does not exist" in err and "Traceback" not in err


def test_files_over_the_size_limits_are_refused_before_reading(loaded, tmp_path):
    huge = tmp_path / "全省汇总.csv"
    with huge.open("wb") as f:  # sparse: nothing written but the size
        f.truncate(limits.MAX_FILE_MB * limits.MB + 1)
    plan = ingest.plan(loaded, huge)
    assert [m.key for m in plan.errors] == ["err_file_too_large"]
    assert f"{limits.MAX_FILE_MB} MB" in plan.errors[0].text("en")
    upload = Upload("大文件.csv", b"0" * (limits.MAX_UPLOAD_MB * limits.MB + 1))
    refused = import_model.plan_upload(loaded, upload)
    assert [m.key for m in refused.errors] == ["err_file_too_large"] and "大文件.csv" in refused.errors[0].text("zh")
    assert f"{limits.MAX_UPLOAD_MB} MB" in refused.errors[0].text("zh")


def test_streamlit_upload_limit_is_the_import_page_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
    assert limits.MAX_UPLOAD_MB <= limits.MAX_FILE_MB


def test_a_file_at_the_limits_still_loads(loaded, tmp_path):
    """The limits refuse what is over them, not what is at them: 200 columns, a long title line, a 2-sheet book."""
    header = ["code", "resident_population", "sampled"] + [f"备注{i}" for i in range(limits.MAX_COLUMNS - 3)]
    title = "核酸采样统计表" + "（说明）" * 2000  # a long first line, within MAX_LINE_BYTES
    path = tmp_path / "testing_20220505.csv"
    path.write_text(title + "\n" + ",".join(header) + "\n" + ",".join([G_JIA_1, "100", "95"] + [""] * 197) + "\n",
                    encoding="utf-8")
    plan = ingest.plan(loaded, path)
    assert plan.ok, [m.text("en") for m in plan.errors]
    assert plan.frame[["sampled"]].iloc[0, 0] == 95


def test_the_import_page_shows_each_broken_file_as_an_error_naming_it(monkeypatch, loaded, broken_files):
    names = ["空文件.csv", "二进制.csv", "截断.xlsx", "压缩炸弹.xlsx", "实体炸弹.xlsx", "单行10MB.csv"]
    staged = [Upload(n, broken_files[n].read_bytes()) for n in names]
    monkeypatch.setenv("DASHBOARD_DB", str(loaded.path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["imp-files"] = staged
    at.run()
    at.switch_page("pages/import.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == len(names)  # one "n errors" box per file
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "")
    for upload in staged:
        assert upload.name in shown
        assert at.button(key=f"imp-confirm-{upload.key}").disabled
    assert "Traceback" not in shown


# ---- exports never carry formulas ----------------------------------------------------------

FORMULA_STARTS = ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "-"]


@pytest.mark.parametrize("text", FORMULA_STARTS)
def test_a_text_cell_or_header_that_looks_like_a_formula_is_text_in_csv_and_xlsx(text):
    frame = pd.DataFrame({"名称": [text, "台陈村"], text: [1, 2], "变化": [-3.5, 0.0]})
    back_csv = pd.read_csv(io.BytesIO(exports.csv_bytes(frame)), encoding="utf-8-sig", keep_default_na=False)
    assert list(back_csv.columns) == ["名称", "'" + text, "变化"]
    assert back_csv["名称"].iloc[0] == "'" + text and back_csv["名称"].iloc[1] == "台陈村"
    sheet = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(frame))).active
    header, first, second = (list(r) for r in sheet.iter_rows(max_row=3))
    assert [c.value for c in header] == ["名称", "'" + text, "变化"]
    assert all(c.data_type == "s" for c in header)
    assert first[0].value == "'" + text and first[0].data_type == "s"  # never 'f' (a formula)
    assert (first[1].value, first[1].data_type) == (1, "n") and (first[2].value, first[2].data_type) == (-3.5, "n")
    assert second[0].value == "台陈村"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_numbers_stay_numbers_negative_changes_included():
    frame = pd.DataFrame({"变化": pd.array([-1.5, 2.0, None], dtype="Float64"), "缺口": [-7, 0, 12],
                          "混合": pd.Series([-3, "=x", 4.5], dtype=object), "名称": pd.array(["-", "a", None], "string")})
    back = pd.read_csv(io.BytesIO(exports.csv_bytes(frame)), encoding="utf-8-sig")
    assert back["变化"].iloc[0] == -1.5 and back["缺口"].tolist() == [-7, 0, 12]
    assert back["混合"].tolist() == ["-3", "'=x", "4.5"]  # read as text because one cell is; none was prefixed
    sheet = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(frame))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [-1.5, 2.0, None] and [r[1] for r in rows] == [-7, 0, 12]
    assert [r[2] for r in rows] == [-3, "'=x", 4.5] and rows[0][3] == "'-"


def test_coverage_csv_from_the_cli_neutralises_names_and_keeps_numbers(loaded, tmp_path, capsys):
    assert cli.main(["--db", str(loaded.path), "rename", NORTH, "=HYPERLINK(\"http://x\")", "--effective",
                     "2022-01-01"]) == 0
    assert cli.main(["--db", str(loaded.path), "rename", "--effective", "2022-01-01", "--", V_JIA, "-2+3"]) == 0
    capsys.readouterr()
    assert cli.main(["--db", str(loaded.path), "coverage", "--unit", NORTH, "--domain", "testing", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.count("\r\n") == out.count("\n") > 1  # CRLF, as every download writes
    back = pd.read_csv(io.StringIO(out), dtype={"code": str})
    names = dict(zip(back["code"], back["name"]))
    assert names[NORTH] == "'=HYPERLINK(\"http://x\")" and names[V_JIA] == "'-2+3"
    row = back.set_index("code").loc[V_JIA]
    assert row["testing_coverage_numerator"] == 80 and row["testing_coverage_denominator"] == 100
    assert pd.api.types.is_numeric_dtype(back["testing_coverage_ratio"])


# ---- every value reaches SQL as a bound parameter -------------------------------------------

def test_hostile_unit_names_from_a_units_file_are_stored_literally(loaded, tmp_path):
    names = list(NAMES)
    villages = [f"990101001{i + 3:03d}" for i in range(len(names))]  # new villages under 东街道
    path = tmp_path / "units_更新.csv"
    pd.DataFrame({"code": villages, "name": names}).to_csv(path, index=False)
    before = counts(loaded)
    result = units.load_units(loaded, path, dt.date(2022, 5, 1))
    assert result.added == len(names)
    stored = dict(sql(loaded, "select code, name from units where code in (select unnest(?))", villages))
    assert [stored[c] for c in villages] == [n.strip() for n in names]
    after = counts(loaded)
    assert after["units"] == before["units"] + len(names) and after["facts"] == before["facts"]


def test_a_name_longer_than_any_real_one_is_refused_by_file_row_and_column(loaded, tmp_path, capsys):
    """A 5,000-character name would fill the overview; no real unit's name has more than MAX_NAME_CHARS."""
    before = counts(loaded)
    path = tmp_path / "units_更新.csv"
    pd.DataFrame({"区划代码": ["990101001003", "990101001004"], "名称": ["新村", "x" * 5000]}).to_csv(path, index=False)
    with pytest.raises(InputError) as refused:
        units.load_units(loaded, path, dt.date(2022, 5, 1))
    [message] = refused.value.messages
    assert (message.key, message.row, message.column) == ("err_name_too_long", 3, "名称")
    assert "5,000" in message.text() and "units_更新.csv" in message.text("en")
    assert cli.main(["--db", str(loaded.path), "rename", EAST, "y" * 51]) == 1
    assert "51" in capsys.readouterr().err
    assert counts(loaded) == before


@pytest.mark.parametrize("name", NAMES)
def test_a_rename_to_an_injection_string_is_stored_and_read_back_literally(name, loaded, capsys):
    before = counts(loaded)
    assert cli.main(["--db", str(loaded.path), "--lang", "en", "rename", EAST, name, "--effective",
                     "2022-05-01"]) == 0
    assert sql(loaded, "select name from units where code = ?", EAST) == [(name,)]
    assert sql(loaded, "select name from unit_names where code = ? and valid_to is null", EAST) == [(name,)]
    capsys.readouterr()
    assert cli.main(["--db", str(loaded.path), "coverage", "--unit", COUNTY, "--domain", "testing", "--format", "json"]) == 0
    children = {c["code"]: c["name"] for c in json.loads(capsys.readouterr().out)["children"]}
    assert children[EAST] == name
    after = counts(loaded)
    assert after == {**before, "unit_names": before["unit_names"] + 1}


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_in_codes_names_and_counts_are_errors_quoting_them(value, loaded, tmp_path):
    before = counts(loaded)
    frame = pd.DataFrame({"区划代码": [value, G_JIA_1], "常住人口": ["100", "100"], "已采样人数": ["1", value]})
    by_code = tmp_path / "testing_20220506.csv"
    frame.to_csv(by_code, index=False)
    plan = ingest.plan(loaded, by_code)
    assert {m.key for m in plan.errors} <= {"err_bad_code", "err_unknown_code", "err_not_number", "err_negative"}
    assert len(plan.errors) == 2, [m.text("en") for m in plan.errors]
    assert {m.row for m in plan.errors} == {2, 3}
    assert value.strip() in " ".join(str(m.values.get("value")) for m in plan.errors)
    named = tmp_path / "北镇_testing_20220506.csv"
    pd.DataFrame({"村": [value], "常住人口": ["100"], "已采样人数": ["1"]}).to_csv(named, index=False)
    plan = ingest.plan(loaded, named, parent=NORTH)
    assert not plan.ok and any(value.strip() in m.text("en") for m in plan.errors)
    assert counts(loaded) == before


URL_PARAMS = {"unit": "990101' or '1'='1", "date": "'; drop table facts; --", "domain": "%", "ind": "_",
              "lang": "<script>", "grids": "1 or 1=1", "present": "\"><img src=x>"}


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py", "pages/gaps.py", "pages/trends.py",
                                  "pages/quality.py", "pages/briefing.py", "pages/import.py", "pages/settings.py"])
def test_injection_strings_in_url_parameters_are_reported_and_the_store_is_untouched(page, monkeypatch, loaded):
    before = counts(loaded)
    monkeypatch.setenv("DASHBOARD_DB", str(loaded.path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in URL_PARAMS.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    if page not in ("pages/import.py", "pages/settings.py"):  # the dashboard pages say what they could not honour
        notes = "\n".join(w.value for w in at.warning).replace("\\", "")
        assert URL_PARAMS["unit"] in notes and URL_PARAMS["date"] in notes
    assert counts(loaded) == before


_SQL_CALLS = {"execute", "sql", "query", "run", "rows", "executemany"}


def test_no_sql_is_built_from_python_strings():
    """Every execute/sql call takes a literal, a queries/*.sql text or a name: never an f-string, + or %."""
    offenders = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SQL_CALLS \
                    and node.args:
                first = node.args[0]
                built = isinstance(first, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute)
                    and first.func.attr in ("format", "replace", "join"))
                if built:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


# ---- the briefing deck and its images ------------------------------------------------------

def test_the_briefing_deck_and_images_carry_hostile_names_as_plain_text(demo_store_copy, tmp_path, capsys):
    """`briefing --per-child` into a folder (the deck with a slide per township, and every image), read back."""
    from pptx import Presentation

    from tests.helpers import DEMO_COUNTY, HOSTILE_COUNTY, HOSTILE_NAMES, hostile_units_csv

    units.load_units(demo_store_copy, hostile_units_csv(demo_store_copy, tmp_path), dt.date(2022, 4, 1))
    out = tmp_path / "简报"
    assert cli.main(["--db", str(demo_store_copy.path), "briefing", "--unit", DEMO_COUNTY, "--per-child",
                     "--out", str(out)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    (pptx,) = out.glob("*.pptx")
    texts = []
    for slide in Presentation(str(pptx)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    assert any(HOSTILE_COUNTY in t for t in texts)
    assert set(HOSTILE_NAMES) <= set(texts)  # a slide per township titled with its name, gap table cells: exactly
    images = [path.read_bytes() for path in out.iterdir() if path.suffix in (".png", ".svg")]
    # matplotlib: '$\frac{a$ 镇' is a dollar sign, not TeX that fails to parse
    assert images and all(data[:4] in (b"\x89PNG", b"<?xm") for data in images)


def test_a_report_template_holds_hostile_names_as_text_and_a_safe_file_name(loaded, tmp_path, monkeypatch):
    for code, name in ((NORTH, "a/b=1+1"), (V_JIA, "=HYPERLINK(\"http://x\")")):
        assert cli.main(["--db", str(loaded.path), "rename", code, name, "--effective", "2022-01-01"]) == 0
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--db", str(loaded.path), "template", "--domain", "testing", "--unit", NORTH,
                     "--date", "2022-05-08"]) == 0
    written = list(tmp_path.glob("*.xlsx"))
    assert [p.name for p in written] == ["a_b=1+1_核酸采样_20220508.xlsx"]
    sheet = openpyxl.load_workbook(written[0]).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'=HYPERLINK(\"http://x\")" in [c.value for c in cells]
    sheet.cell(row=3, column=3, value=100)  # the clerk fills in a figure: the template comes back through ingest
    filled = tmp_path / "filled_20220508.xlsx"
    sheet.parent.save(filled)
    plan = ingest.plan(loaded, filled)
    assert plan.ok, [m.text("en") for m in plan.errors]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_long_file_with_any_line_ending_is_within_the_line_limit(newline, loaded, tmp_path):
    rows = [f"{G_JIA_1 if i == 0 else '990101101201002'},100,{i + 1}" for i in range(2)]
    filler = [f"备注行{i}" for i in range(20_000)]  # 200 KB of short lines under the table: not one long line
    path = tmp_path / "testing_20220507.csv"
    path.write_bytes(newline.join(["code,resident_population,sampled"] + rows + filler).encode())
    plan = ingest.plan(loaded, path)
    assert plan.ok, [m.text("en") for m in plan.errors]
    assert plan.frame["sampled"].tolist() == [1, 2]


XLSX_FIXTURES = sorted(p.name for p in (ROOT / "tests" / "fixtures").glob("*.xlsx"))


@pytest.mark.parametrize("fixture", XLSX_FIXTURES)
def test_a_streamed_workbook_reads_as_the_loaded_one(fixture, monkeypatch, tmp_path):
    """Large sheets are streamed (no merged-cell ranges there): the fixtures, merged headers included, read the
    same both ways."""
    from dashboard.intake import reports, sheets

    path = ROOT / "tests" / "fixtures" / fixture
    loaded_ = reports.read_report(sheets.read_sheet(path))
    monkeypatch.setattr(sheets, "STREAM_SHEETS_FROM_MB", 0)
    streamed = reports.read_report(sheets.read_sheet(path))
    assert [(c.role, c.field, c.scale) for c in streamed.columns] == [(c.role, c.field, c.scale) for c in loaded_.columns]
    pd.testing.assert_frame_equal(streamed.frame, loaded_.frame)
    assert streamed.title == loaded_.title


def test_a_streamed_workbook_with_entity_tricks_or_too_many_rows_is_refused(monkeypatch, broken_files):
    from dashboard.intake import sheets

    monkeypatch.setattr(sheets, "STREAM_SHEETS_FROM_MB", 0)
    for name, key in (("实体炸弹.xlsx", "err_corrupt_xlsx"), ("行数声明.xlsx", "err_too_many_rows")):
        with pytest.raises(InputError) as refused:
            sheets.read_sheet(broken_files[name])
        assert [m.key for m in refused.value.messages] == [key]


def test_a_zipped_shapefile_that_is_a_bomb_or_empty_is_refused_by_the_boundaries_command(loaded, tmp_path, capsys):
    bomb = tmp_path / "村界.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("村界.shp", "w") as member:
        for _ in range(64):
            member.write(b"\0" * limits.MB)
    empty = tmp_path / "空.geojson"
    empty.write_bytes(b"")
    before = counts(loaded)
    for path, text in ((bomb, "200×"), (empty, "0 bytes")):
        assert cli.main(["--db", str(loaded.path), "--lang", "en", "boundaries", str(path)]) == 1
        err = capsys.readouterr().err
        assert path.name in err and text in err and "Traceback" not in err
    assert counts(loaded) == before
