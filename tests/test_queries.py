"""The SQL registry and the schema agree with the field definitions."""
import ast
import pathlib
import re

import duckdb
import pandas as pd
import pytest

from dashboard.domain import fields
from dashboard.storage import materialize, queries, store


def test_every_query_file_says_what_it_returns():
    for name in queries.names():
        assert queries.sql(name).startswith("-- "), name


def test_unknown_query_names_and_missing_parameters_raise(empty_store):
    with pytest.raises(queries.UnknownQuery):
        queries.sql("no_such_result")
    with pytest.raises(TypeError, match="unit_by_code"):
        empty_store.query("unit_by_code")


def test_fact_columns_are_the_canonical_fields(empty_store):
    with empty_store.read() as cur:
        columns = [row[0] for row in cur.execute("describe facts").fetchall()]
    assert [c for c in columns if c in fields.BY_NAME] == list(fields.FIELD_NAMES)


def test_rollup_sums_every_field():
    body = queries.sql("rollup")
    for name in fields.FIELD_NAMES:
        assert f"as {name}," in body, name


def test_values_are_bound_not_formatted(empty_store):
    hostile = "990101000000' or 1=1 --"
    assert empty_store.query("unit_by_code", code=hostile).empty


def test_every_message_has_both_languages_and_the_same_placeholders():
    import string
    from dashboard import i18n
    for key, texts in i18n.MESSAGES.items():
        assert set(texts) == set(i18n.LANGS), key
        names = [{f[1] for f in string.Formatter().parse(texts[lang]) if f[1]} for lang in i18n.LANGS]
        assert names[0] == names[1], key


@pytest.mark.parametrize("domain", ["testing", "screening", "vaccination"])
@pytest.mark.parametrize("level", ["township", "village"])
def test_a_result_through_arrow_is_the_dataframe_df_gives(demo_store, domain, level):
    """Store.frame (Arrow) must hand pages exactly what Store.query (.df()) did: values, nulls and dtypes."""
    import datetime as dt
    from dashboard.domain import codes
    from dashboard.analysis import rollup

    county = rollup.unit(demo_store, demo_store.query("root_units")["code"].iloc[0])
    dates = rollup.snapshot_dates(demo_store, domain)
    bounds = dict(lo=int(county["num"]), hi=int(county["num"]) + codes.span("county"),
                  member_prefix_len=codes.PREFIX_LEN[level])
    stored = dict(bounds, domain=domain, date_from=dates[-2], date_to=dates[-1] + dt.timedelta(days=1),
                  identifiers={"columns": list(rollup.stored_columns(domain))})
    members = dict(bounds, parent_code=None, unit_num=int(county["num"]))
    for name, params in (("rollup_stored", stored), ("rollup_members", members)):
        by_df = demo_store.query(name, **params)
        assert len(by_df), name
        pd.testing.assert_frame_equal(demo_store.frame(name, **params), by_df, check_dtype=True)
    assert demo_store.query("rollup_members", **members).isna().any().any()  # nulls: nullable dtypes exercised


@pytest.mark.parametrize("values", [
    "(1, 2::bigint, true, date '2022-04-01', timestamp '2022-04-01 08:30:00', 'a')",  # no null: numpy dtypes
    "(1, null::bigint, null::boolean, null::date, null::timestamp, 'a')",  # a null in each: nullable dtypes, NaT
    # (not strings: a column of only null strings is object by .df(), str by Arrow; no page query returns one)
    "(1, 9007199254740993::bigint, false, date '2022-04-02', timestamp '2022-04-02 23:59:59.123456', 'b'), "
    "(2, null, true, null, null, 'c')",  # beyond 2^53 stays exact; microseconds kept
])
def test_like_df_gives_the_dtypes_and_values_df_gives(values):
    import duckdb

    con = duckdb.connect()
    query = f"select * from (values {values}) t(i, n, b, d, ts, s)"
    pd.testing.assert_frame_equal(queries.like_df(con.sql(query).to_arrow_table()), con.execute(query).df(),
                                  check_dtype=True, check_exact=True)


@pytest.mark.parametrize("identifiers, error", [
    (None, TypeError),                                        # the list is required
    ({"columns": []}, ValueError),
    ({"columns": ["sampled; drop table rollups"]}, ValueError),
    ({"columns": ["Sampled"]}, ValueError),
    ({"columns": ["sampled", "1=1 or"]}, ValueError),
    ({"columns": ["sampled"], "other": ["tested"]}, TypeError),  # a list the query does not have
])
def test_a_column_list_takes_only_plain_identifiers(identifiers, error):
    with pytest.raises(error):
        queries.text("rollup_stored", identifiers)


def test_a_column_list_is_written_into_the_query():
    body = queries.text("rollup_stored", {"columns": ["sampled", "tested"]})
    assert "select snapshot_date, num, sampled, tested from rollups" in body and "{{" not in body


def test_the_rollup_column_whitelist_is_the_rollups_table(empty_store):
    from dashboard.analysis import rollup

    with empty_store.read() as cur:
        columns = [row[0] for row in cur.execute("describe rollups").fetchall()]
    keys = {"domain", "snapshot_date", "num", "prefix_len", "expected_prefix_len"}
    assert rollup.ROLLUP_COLUMNS == tuple(c for c in columns if c not in keys)


BASE_FACT_COLUMNS = ("load_id", "domain", "snapshot_date", "as_of_hour", "num", "prefix_len", "round")


@pytest.mark.parametrize("domain", fields.DOMAINS)
def test_each_domain_table_and_every_script_that_names_its_columns_agree_with_fields(empty_store, domain):
    """The domain tables' columns are written out in the schema, the split of older stores, the bulk append and the
    restore: each must be the base columns plus exactly the domain's fields (fields.py), so none can drift."""
    wanted = list(BASE_FACT_COLUMNS) + [f.name for f in fields.domain_fields(domain)]
    with duckdb.connect(str(empty_store.path), read_only=True) as con:
        for table in (f"facts_{domain}", f"facts_noncurrent_{domain}"):
            assert [r[0] for r in con.execute("select column_name from information_schema.columns "
                                              "where table_name = ? order by ordinal_position", [table]).fetchall()] \
                == wanted, table
    others = {f.name for d in fields.DOMAINS if d != domain for f in fields.domain_fields(d)} | {"code"}  # derived
    for script in ("facts_split_by_domain", "facts_noncurrent_append", "backup_restore"):
        lines = [line for line in queries.sql(script).splitlines()
                 if "select" in line and "village_rollups" not in line  # a lambda naming every domain's fields
                 and (f"_{domain} " in line or f"'{domain}'" in line)]
        assert lines, script
        for line in lines:
            named = set(re.findall(r"[a-z_][a-z0-9_]*", line))
            assert set(wanted) <= named and not (others & named), (script, line)


@pytest.mark.parametrize("domain", fields.DOMAINS)
def test_a_domains_village_rollups_hold_the_columns_its_refresh_fills_and_no_other_domains(empty_store, domain):
    """A domain's villages' rollups table is `rollups` without the fields other domains report (its own fields and the
    register's stay: rollups_refresh.sql sums the register's for every domain), in the same order, as the store's
    declared columns say; the view gives back the wide shape of `rollups`, column for column."""
    others = {f.name for d in fields.DOMAINS if d != domain for f in fields.domain_fields(d)}
    others -= set(fields.REGISTER_FIELDS)
    with duckdb.connect(str(empty_store.path), read_only=True) as con:
        columns = lambda table: [r[0] for r in con.execute(  # noqa: E731
            "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
            [table]).fetchall()]
        wide, own = columns("rollups"), columns(f"village_rollups_{domain}")
        assert columns("village_rollups") == wide
    assert own == [c for c in wide if c not in others]
    declared = store.declared_columns()
    assert declared[f"village_rollups_{domain}"] == tuple(c for c in own if c in declared["rollups"])
    assert set(materialize.own_fields(domain)) | set(fields.REGISTER_FIELDS) == set(own) & set(fields.FIELD_NAMES)


STORE_CALLS = {"query", "lookup", "frame", "fetch"}  # Store's reads, whatever the store is called
REGISTRY_CALLS = {"run", "frame", "execute", "rows", "sql", "text"}  # queries.<call>


def _is_query_call(func) -> bool:
    if isinstance(func, ast.Name):
        return func.id in STORE_CALLS
    if isinstance(func, ast.Attribute):
        on_registry = isinstance(func.value, ast.Name) and func.value.id == "queries"
        return func.attr in STORE_CALLS or (on_registry and func.attr in REGISTRY_CALLS)
    return False


def _named_in_code() -> tuple[set[str], set[str]]:
    """(names passed to a query call, every string constant) across dashboard/."""
    called, constants = set(), set()
    for path in pathlib.Path(__file__).resolve().parent.parent.joinpath("dashboard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            if isinstance(node, ast.Call) and _is_query_call(node.func):
                called |= {a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return called, constants


def test_every_name_the_code_runs_has_its_file_and_every_file_is_run():
    """The registry's names are checked here, before any page runs one: a renamed or deleted file fails this test."""
    called, constants = _named_in_code()
    names = set(queries.names())
    assert len(called) > len(names) // 2  # the scan finds the calls (most files are run by a literal name)
    assert called - names == set()
    named_by_sql = {n for n in names if any(f"'{n}'" in queries.sql(other) for other in names)}  # upgrade steps
    assert names - constants - named_by_sql == set(), "query files no code names"


def test_a_shared_rule_is_included_where_it_stands_and_an_unknown_one_is_refused(tmp_path, monkeypatch):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "rule.sql").write_text("-- shared: a rule\nx as (select 1 as one)", encoding="utf-8")
    (tmp_path / "uses.sql").write_text("-- one\nwith {{> rule}}\nselect * from x", encoding="utf-8")
    monkeypatch.setattr(queries, "QUERY_DIR", tmp_path)
    queries._all.cache_clear()
    try:
        assert duckdb.sql(queries.sql("uses")).fetchall() == [(1,)]
        (tmp_path / "broken.sql").write_text("-- two\nwith {{> nothing}} select 1", encoding="utf-8")
        queries._all.cache_clear()
        with pytest.raises(queries.UnknownQuery, match="nothing"):
            queries.names()
    finally:
        monkeypatch.undo()
        queries._all.cache_clear()
