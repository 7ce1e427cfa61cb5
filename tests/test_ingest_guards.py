"""Ingest never guesses and never drops a figure silently (issue 18), on a real county's units (会泽县, NBS 2021):
two columns for one figure, formula cells with no value, separators, dates and hours that disagree, personal
data in headers and values, a workbook that lies about its size, a rolled-back file sent again."""
from __future__ import annotations

import datetime as dt
import io
import pathlib
import re
import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest

from dashboard.commands import cli
from dashboard.intake import ingest, limits, loads, sheets, units
from dashboard.storage.store import Store
from tests.county_files import DIVISIONS, division
from tests.helpers import sql, write

TOWN = division("huize").query("区划代码.str.endswith('000') and not 区划代码.str.endswith('000000')").iloc[0]
VILLAGES = division("huize").query(f"区划代码.str.startswith('{TOWN['区划代码'][:9]}') and 区划代码 != "
                                   f"'{TOWN['区划代码']}'").head(3)
V1, V2, V3 = VILLAGES["区划代码"].tolist()


@pytest.fixture(scope="module")
def huize_store(tmp_path_factory) -> pathlib.Path:
    """A store holding 会泽县's units, loaded once for the module."""
    built = Store(tmp_path_factory.mktemp("huize") / "huize.duckdb")
    built.create()
    units.load_units(built, DIVISIONS / "huize.csv")
    built.close()
    assert not built.path.with_name(built.path.name + ".wal").exists()  # the file alone is the whole store
    return built.path


@pytest.fixture
def store(huize_store, tmp_path) -> Store:
    """A copy of it for each test (a file copy instead of a units load)."""
    target = tmp_path / "store.duckdb"
    shutil.copyfile(huize_store, target)
    return Store(target)


def rows(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def errors(plan) -> list[tuple[str, int | None, str | None]]:
    return [(m.key, m.row, m.column) for m in plan.errors]


def stored(store, load_id: int, field: str) -> dict[str, int]:
    return dict(sql(store, f"select code, {field} from facts_history where load_id = ?", load_id))  # test-side SQL


def loaded(store, plan):
    assert plan.ok, [m.text("en") for m in plan.errors]
    return ingest.commit(store, plan)


# ---- 1. two columns that say the same thing -------------------------------------------------------------

@pytest.mark.parametrize("header", [
    "区划代码,名称,常住人口,已采样人数,采样人数",       # two aliases of one field, as office files have
    "区划代码,名称,常住人口,已采样人数,已采样人数",     # a header written twice
    "区划代码,名称,常住人口,已采样人数（人）,已采人数",  # aliases with a unit in brackets
])
def test_two_columns_of_one_figure_that_agree_load_once_with_a_note(store, tmp_path, header):
    path = write(tmp_path, "会泽县核酸_20220508.csv", rows(header, f"{V1},a,1000,800,800", f"{V2},b,900,\"1,406\",1406"))
    plan = ingest.plan(store, path)
    notes = [m for m in plan.warnings if m.key == "warn_duplicate_column"]
    assert len(notes) == 1 and notes[0].values["letter"] == "E" and notes[0].values["first_letter"] == "D"
    assert stored(store, loaded(store, plan).load_id, "sampled") == {V1: 800, V2: 1406}


@pytest.mark.parametrize("header, row2, row3, letters", [
    ("区划代码,名称,常住人口,已采样人数,采样人数", f"{V1},a,1000,800,780", f"{V2},b,900,700,700", ("E", "D")),
    ("区划代码,名称,常住人口,已采样人数,已采样人数", f"{V1},a,1000,800,", f"{V2},b,900,700,700", ("E", "D")),
    ("区划代码,名称,常住人口,已采样人数,区划代码", f"{V1},a,1000,800,{V3}", f"{V2},b,900,700,{V2}", ("E", "A")),
])
def test_two_columns_of_one_figure_that_differ_are_refused_naming_both(store, tmp_path, header, row2, row3,
                                                                        letters):
    """One blank and one not is a difference too; which column is right is the office's to say."""
    plan = ingest.plan(store, write(tmp_path, "会泽县核酸_20220508.csv", rows(header, row2, row3)))
    assert errors(plan) == [("err_duplicate_column", 2, header.split(",")[4])]
    message = plan.errors[0]
    assert (message.values["letter"], message.values["first_letter"]) == letters
    assert "会泽县核酸_20220508.csv" in message.text() and "第 2 行" in message.text()
    with pytest.raises(Exception):
        ingest.commit(store, plan)


# ---- 2. formula cells ---------------------------------------------------------------------------------------

def _workbook_with_formulas(cached: dict[str, str] | None = None) -> bytes:
    """A sheet with formulas, as a script writes it (no cached values); `cached` writes the value Excel would have
    stored for a cell, as a workbook saved by Excel or WPS has it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["区划代码", "名称", "常住人口", "已采样人数"])
    sheet.append([V1, "a", 1000, "=C2*0.8"])
    sheet.append([V2, "b", 900, '=WEBSERVICE("http://127.0.0.1/x")'])
    sheet.append([V3, "c", 500, "='[1]Sheet1'!A1"])
    buffer = io.BytesIO()
    book.save(buffer)
    if not cached:
        return buffer.getvalue()
    return _patched(buffer.getvalue(), lambda xml: re.sub(
        rb'(<c r="(D\d)"[^>]*><f>[^<]*</f>)<v></v>', lambda m: m[1] + b"<v>" + cached[m[2].decode()].encode() + b"</v>", xml))


def _patched(xlsx: bytes, change, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data) if item.filename == member else data)
    return out.getvalue()


def test_formula_cells_with_no_value_are_refused_by_row_and_column_never_stored_empty(store, tmp_path):
    path = tmp_path / "会泽县核酸_20220508.xlsx"
    path.write_bytes(_workbook_with_formulas())
    plan = ingest.plan(store, path)
    assert errors(plan) == [("err_formula_no_value", line, "已采样人数") for line in (2, 3, 4)]
    assert "=C2*0.8" in plan.errors[0].text() and "WEBSERVICE" in plan.errors[1].text("en")


def test_formula_cells_with_their_computed_values_load_those_values(store, tmp_path):
    path = tmp_path / "会泽县核酸_20220508.xlsx"
    path.write_bytes(_workbook_with_formulas({"D2": "800", "D3": "720", "D4": "400"}))
    assert stored(store, loaded(store, ingest.plan(store, path)).load_id, "sampled") == {V1: 800, V2: 720, V3: 400}


# ---- 3. separators --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, value", [
    ("1,406", 1406), ("1 406", 1406), ("1\u00a0406", 1406), ("1\u202f406", 1406), ("１，４０６", 1406),
    ("12,345,678", 12345678), (" 800 ", 800), ("1 623人", 1623),
    ("1,2", None), ("8\u00a000", None), ("8 00", None), ("1,4,06", None), ("12,34", None), ("1, 406", None),
    ("1,406 789", None),
])
def test_a_separator_counts_only_where_it_separates_thousands(store, tmp_path, cell, value):
    path = tmp_path / "会泽县核酸_20220508.csv"
    pd.DataFrame({"区划代码": [V1], "常住人口": ["5000"], "已采样人数": [cell]}).to_csv(path, index=False)
    plan = ingest.plan(store, path)
    if value is None:
        assert errors(plan) == [("err_not_number", 2, "已采样人数")]
    else:
        assert stored(store, loaded(store, plan).load_id, "sampled") == {V1: value}


# ---- 4. the file's own signals disagree ---------------------------------------------------------------------

def test_a_title_date_that_disagrees_with_the_file_name_is_shown_and_the_chosen_date_decides(store, tmp_path):
    path = write(tmp_path, "会泽县核酸采样_20220508.csv",
                 rows("会泽县核酸采样统计表（截至2022年5月9日18时）", "区划代码,常住人口,已采样人数", f"{V1},1000,800"))
    plan = ingest.plan(store, path)
    [conflict] = [m for m in plan.warnings if m.key == "warn_conflict"]
    assert plan.snapshot_date == dt.date(2022, 5, 9)
    assert "2022-05-09" in conflict.text() and "2022-05-08" in conflict.text() and "标题" in conflict.text()
    assert "--date" in conflict.text("en") and "title" in conflict.text("en")
    chosen = ingest.plan(store, path, snapshot_date=dt.date(2022, 5, 8))
    assert chosen.snapshot_date == dt.date(2022, 5, 8)
    assert "as chosen" in next(m for m in chosen.warnings if m.key == "warn_conflict").text("en")


@pytest.mark.parametrize("name, title, what, used", [
    ("会泽县核酸采样_20220508_20时.csv", "截至2022年5月8日18时", "hour", 18),
    ("会泽县核酸采样第3轮_20220508.csv", "第2轮核酸采样统计表", "round", 2),
    ("会泽县疫苗接种_20220508.csv", "会泽县疫苗接种统计表", "domain", "testing"),
])
def test_every_fact_a_file_states_twice_is_checked_for_conflicts(store, tmp_path, name, title, what, used):
    path = write(tmp_path, name, rows(title, "区划代码,常住人口,已采样人数", f"{V1},1000,800"))
    plan = ingest.plan(store, path)
    conflicts = [m for m in plan.warnings if m.key == "warn_conflict"]
    assert [m.values["what"]["en"] for m in conflicts] == [{"hour": "as-of hour"}.get(what, what)]
    assert {"hour": plan.as_of_hour, "round": plan.round, "domain": plan.domain}[what] == used


def test_a_file_that_agrees_with_itself_has_no_conflict(store, tmp_path):
    path = write(tmp_path, "会泽县核酸采样_20220509_18时.csv",
                 rows("会泽县核酸采样统计表（截至2022年5月9日18时）", "区划代码,常住人口,已采样人数", f"{V1},1000,800"))
    assert not [m for m in ingest.plan(store, path).warnings if m.key == "warn_conflict"]


# ---- 5. personal data ----------------------------------------------------------------------------------

@pytest.mark.parametrize("header, values, kind", [
    ("联系人姓名", ["张伟", "李秀英"], "personal_header"),
    ("网格员", ["王芳", "刘洋"], "personal_header"),
    ("联系人", ["陈静", "杨磊"], "personal_header"),
    ("备注", ["+86 138 0013 8000", ""], "phone"),
    ("备注", ["", "138-0013-8000"], "phone"),
    ("备注", ["联系：0874-5123456", ""], "phone"),
    ("说明", ["５３０３２６１９８００１０１１２３Ｘ", ""], "id_card"),
    ("x_col", ["赵敏", "孙浩"], "person_name"),
    ("已采样人数", ["13800138000", "700"], "phone"),  # a phone number in a figure column is no count
])
def test_personal_data_in_headers_and_values_is_refused(store, tmp_path, header, values, kind):
    frame = pd.DataFrame({"区划代码": [V1, V2], "常住人口": ["1000", "900"], "已采样人数": ["800", "700"]})
    frame[header] = values
    path = tmp_path / "会泽县核酸采样_20220508.csv"
    frame.to_csv(path, index=False)
    plan = ingest.plan(store, path)
    assert [(m.key, m.values["kind"]) for m in plan.errors] == [("err_personal_data", kind)]
    assert header in plan.errors[0].text() and "删去" in plan.errors[0].text()


@pytest.mark.parametrize("header, values", [
    ("网格员人数", ["12", "9"]),            # a count of grid workers is a figure, not a person
    ("备注", ["高风险", "高风险"]),          # a repeated note starting with a surname's character
    ("备注", ["正常", "无"]),
])
def test_columns_that_only_look_personal_are_not_refused(store, tmp_path, header, values):
    frame = pd.DataFrame({"区划代码": [V1, V2], "常住人口": ["1000", "900"], "已采样人数": ["800", "700"], header: values})
    path = tmp_path / "会泽县核酸采样_20220508.csv"
    frame.to_csv(path, index=False)
    assert ingest.plan(store, path).ok


def test_real_village_names_are_never_taken_for_people(store, tmp_path):
    """Every village of six real counties in a column the reader does not know: place names, not persons."""
    for county in ("huize", "linying", "dayi", "pishan", "zhenglanqi", "baoan"):
        names = division(county)["名称"].str.replace(r"(村民委员会|居民委员会|委员会|居委会|村委会)$", "", regex=True)
        frame = pd.DataFrame({"区划代码": V1, "常住人口": "1000", "已采样人数": "800", "地点": names.tolist()})
        frame["区划代码"] = [V1] + [""] * (len(frame) - 1)
        path = tmp_path / f"{county}_核酸采样_20220508.csv"
        frame.to_csv(path, index=False)
        assert not [m for m in ingest.plan(store, path).errors if m.key == "err_personal_data"], county


# ---- 6. a workbook that lies about its size ---------------------------------------------------------------

def _lying_workbook(rows_held: int, declared: str = "A1:C2") -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["区划代码", "常住人口", "已采样人数"])
    book.active.append([V1, 1000, 800])
    buffer = io.BytesIO()
    book.save(buffer)
    body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d"><v>1</v></c></row>'
                    % (i, i, V2.encode(), i) for i in range(3, rows_held + 1))
    return _patched(buffer.getvalue(), lambda xml: re.sub(
        rb'<dimension ref="[^"]+"', f'<dimension ref="{declared}"'.encode(), xml.replace(b"</sheetData>",
                                                                                         body + b"</sheetData>")))


@pytest.mark.parametrize("streamed", [False, True])
def test_a_workbook_holding_more_rows_than_it_declares_is_read_whole(tmp_path, monkeypatch, streamed):
    """Its <dimension> says two rows; every row it holds is read (openpyxl's streaming reader stops at the
    declared size unless told otherwise: rows would vanish)."""
    if streamed:
        monkeypatch.setattr(sheets, "STREAM_SHEETS_FROM_MB", 0)
    path = tmp_path / "report.xlsx"
    path.write_bytes(_lying_workbook(5_000))
    assert len(sheets.read_sheet(path).cells) == 5_000


def test_a_workbook_over_the_row_limit_is_refused_before_its_cells_are_built(tmp_path, monkeypatch):
    """Refused by the scan of its XML, whatever it declares: openpyxl never loads it (43 s and 890 MB for 1.5 M
    rows before)."""
    monkeypatch.setattr(limits, "MAX_ROWS", 2_000)
    path = tmp_path / "report.xlsx"
    path.write_bytes(_lying_workbook(5_000, declared="A1:I21"))
    loaded_books = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook",
                        lambda *a, **k: loaded_books.append(k.get("read_only", False)) or real(*a, **k))
    with pytest.raises(Exception) as refused:
        sheets.read_sheet(path)
    assert [m.key for m in refused.value.messages] == ["err_too_many_rows"]
    assert loaded_books == [True]  # only the lazy pass that reads no cells


# ---- 7. a rolled-back file sent again ----------------------------------------------------------------

def test_sending_a_rolled_back_file_again_exits_non_zero_unless_told_to_restore(store, tmp_path, capsys):
    path = write(tmp_path, "会泽县核酸采样_20220508.csv", rows("区划代码,常住人口,已采样人数", f"{V1},1000,800"))
    first = loaded(store, ingest.plan(store, path))
    loads.rollback(store, first.load_id, "clerk")
    capsys.readouterr()
    args = ["--db", str(store.path), "ingest", str(path)]
    assert cli.main(args) == cli.ROLLED_BACK_EXIT
    assert "--restore" in capsys.readouterr().err
    assert sql(store, "select status from loads") == [("rolled_back",)]
    assert cli.main(args + ["--restore"]) == 0
    assert sql(store, "select status from loads") == [("active",)]
    assert sql(store, "select sampled from facts_testing") == [(800,)]
