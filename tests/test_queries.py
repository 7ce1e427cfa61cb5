"""The SQL registry and the schema agree with the field definitions."""
import pandas as pd
import pytest

from dashboard import fields, queries


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
    from dashboard import codes, rollup

    county = rollup.unit(demo_store, demo_store.query("root_units")["code"].iloc[0])
    dates = rollup.snapshot_dates(demo_store, domain)
    params = dict(domain=domain, date_from=dates[-2], date_to=dates[-1] + dt.timedelta(days=1),  # a day without data
                  lo=int(county["num"]), hi=int(county["num"]) + codes.span("county"),
                  member_prefix_len=codes.PREFIX_LEN[level], parent_code=None, unit_num=int(county["num"]),
                  columns=list(rollup.stored_columns(domain)))
    by_df = demo_store.query("rollup_stored", **params)
    assert len(by_df) and by_df.isna().any().any()  # nulls present: the nullable dtypes are exercised
    pd.testing.assert_frame_equal(demo_store.frame("rollup_stored", **params), by_df, check_dtype=True)
