"""The demo county must look like real grid-check data and exercise the product's edge cases."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard.example import demo_data as dd

CUMULATIVE = {
    "screening": ("households_checked", "persons_checked", "returnees", "risk_area_returnees"),
    "testing": ("sampled", "tested", "positives"),
    "vaccination": ("dose1", "full_course", "booster"),
}


@pytest.fixture(scope="module")
def county() -> dd.DemoCounty:
    return dd.generate()


@pytest.fixture(scope="module")
def levels(county) -> dict[str, pd.DataFrame]:
    """Units split by level, read from the code alone."""
    code = county.units.code
    level = np.select([code.str.len() == 15, code == dd.COUNTY_CODE, code.str.endswith("000")],
                      ["grid", "county", "township"], "village")
    return {lv: county.units[level == lv].reset_index(drop=True) for lv in ("county", "township", "village", "grid")}


@pytest.fixture(scope="module")
def daily(county) -> dict[str, pd.DataFrame]:
    """Per domain, one row per (snapshot_date, code): the latest as-of hour wins."""
    out = {}
    for domain in dd.DOMAIN_FIELDS:
        frames = [ld.frame.assign(snapshot_date=ld.snapshot_date, as_of_hour=ld.as_of_hour)
                  for ld in county.loads if ld.domain == domain]
        df = pd.concat(frames, ignore_index=True).sort_values(["snapshot_date", "code", "as_of_hour"])
        out[domain] = df.drop_duplicates(["snapshot_date", "code"], keep="last").reset_index(drop=True)
    return out


def _round_of(county, day: dt.date) -> int:
    return int(county.rounds.loc[county.rounds.start_date <= day, "round"].max())


def _coverage(county, daily, day: dt.date) -> float:
    """County-wide sampled / register residents over the grids that reported on `day`."""
    rows = daily["testing"][daily["testing"].snapshot_date == day]
    residents = county.register.set_index("code").loc[rows.code, "resident_population"]
    return rows.sampled.sum() / residents.sum()


# ----------------------------------------------------------------------------- determinism

def test_generate_is_deterministic(county):
    again = dd.generate()
    for name in ("units", "register", "rounds", "anomalies"):
        assert getattr(county, name).equals(getattr(again, name)), name
    assert len(county.loads) == len(again.loads)
    for a, b in zip(county.loads, again.loads):
        meta = (a.domain, a.snapshot_date, a.as_of_hour, a.file_name)
        assert meta == (b.domain, b.snapshot_date, b.as_of_hour, b.file_name)
        assert a.frame.equals(b.frame), a.file_name
    assert county.boundaries.code.tolist() == again.boundaries.code.tolist()
    assert shapely.to_wkb(county.boundaries.geometry.values).tolist() == \
        shapely.to_wkb(again.boundaries.geometry.values).tolist()


def test_another_seed_gives_another_county(county):
    other = dd.generate(dd.DEMO_SEED + 1)
    assert not other.register.equals(county.register)
    assert not other.boundaries.geometry.iloc[0].equals(county.boundaries.geometry.iloc[0])
    last = [ld.frame for ld in other.loads if ld.domain == "vaccination"][-1]
    assert not last.equals([ld.frame for ld in county.loads if ld.domain == "vaccination"][-1])


# ----------------------------------------------------------------------------- units and codes

def test_sizes_in_expected_ranges(county, levels):
    assert len(levels["county"]) == 1
    assert 14 <= len(levels["township"]) <= 18
    assert 260 <= len(levels["village"]) <= 340
    assert 3500 <= len(levels["grid"]) <= 4500
    assert 500_000 <= county.register.resident_population.sum() <= 600_000
    kinds = levels["township"].name.str[-2:].map(lambda s: "街道" if s == "街道" else s[-1])
    assert kinds.value_counts().to_dict() == {"镇": 9, "街道": 4, "乡": 3}


def test_codes_are_well_formed_and_unique(county, levels):
    codes = county.units.code
    assert codes.is_unique
    assert codes.str.fullmatch(r"\d{12}|\d{15}").all()
    assert levels["county"].iloc[0].tolist() == [dd.COUNTY_CODE, dd.COUNTY_NAME]
    assert codes.str.startswith(dd.COUNTY_CODE[:6]).all()


def test_township_digit_ranges_match_kind(levels):
    for code, name in levels["township"].itertuples(index=False):
        part = int(code[6:9])
        assert code.endswith("000")
        if name.endswith("街道"):
            assert 1 <= part <= 99, (code, name)
        elif name.endswith("镇"):
            assert 100 <= part <= 199, (code, name)
        else:
            assert name.endswith("乡") and 200 <= part <= 399, (code, name)


def test_village_digit_ranges_match_kind_and_parent(levels):
    townships = dict(levels["township"].itertuples(index=False))
    for code, name in levels["village"].itertuples(index=False):
        parent = townships[code[:9] + "000"]
        part = int(code[9:12])
        if name.endswith("社区"):
            assert 1 <= part <= 199 and not parent.endswith("乡"), (code, name)
        else:
            assert name.endswith("村") and 200 <= part <= 399 and not parent.endswith("街道"), (code, name)
    villages = levels["village"]
    seats = villages[villages.name.str.endswith("社区") & (villages.code.str[6] == "1")]
    assert len(seats) > 0, "town seats have communities too"


def test_grid_codes_extend_their_village(levels):
    grids = levels["grid"]
    village = grids.code.str[:12]
    assert village.isin(levels["village"].code).all()
    assert levels["village"].code.isin(village).all(), "every village has grids"
    suffix = grids.code.str[12:].astype(int)
    numbering = suffix.groupby(village).agg(lambda s: s.tolist() == list(range(1, len(s) + 1)))
    assert numbering.all()
    assert (grids.name == "第" + suffix.astype(str) + "网格").all()


def test_names_unique(levels):
    assert levels["township"].name.is_unique
    assert levels["village"].name.is_unique
    assert not levels["village"].name.str.contains("None|nan").any()


def test_name_outside_bmp_present_intact(levels):
    outside = levels["village"][levels["village"].name.map(lambda s: any(ord(ch) > 0xFFFF for ch in s))]
    assert outside.name.tolist() == ["\U0002AA30岭村"]
    assert [ord(ch) for ch in outside.name.iat[0]] == [0x2AA30, ord("岭"), ord("村")]
    assert not levels["township"].name.map(lambda s: any(ord(ch) > 0xFFFF for ch in s)).any()


def test_register_covers_exactly_the_grids(county, levels):
    reg = county.register
    assert reg.columns.tolist() == ["code", "resident_population", "target_persons", "target_population",
                                    "households_total"]
    assert reg.code.tolist() == levels["grid"].code.tolist()
    res = reg.resident_population
    assert (reg.target_persons <= res).all() and (reg.target_persons >= 0.95 * res - 0.5).all()
    assert (reg.target_population <= res).all() and (reg.households_total >= 1).all()


def test_urban_communities_are_denser(county, levels):
    area = pd.Series(shapely.area(county.boundaries.geometry.values), index=county.boundaries.code)
    res = county.register.groupby(county.register.code.str[:12]).resident_population.sum()
    grids = county.register.groupby(county.register.code.str[:12]).size()
    street = res.index.str[6] == "0"
    density = res / area.loc[res.index]
    assert density[street].median() > 5 * density[~street].median()
    assert grids[street].median() > grids[~street].median()


# ----------------------------------------------------------------------------- boundaries

def test_boundaries_cover_every_unit_validly(county):
    b = county.boundaries
    assert b.crs.to_epsg() == 4326
    assert b.code.tolist() == county.units.code.tolist()
    assert b.is_valid.all() and not b.is_empty.any()
    assert set(b.geom_type) <= {"Polygon", "MultiPolygon"}
    x0, y0, x1, y1 = b.total_bounds
    assert 30 < (x1 - x0) * 111.32 * np.cos(np.radians(33.8)) < 50
    assert 25 < (y1 - y0) * 110.57 < 45
    assert abs((x0 + x1) / 2 - 113.90) < 0.1 and abs((y0 + y1) / 2 - 33.80) < 0.1


def _parent(code: str) -> str:
    if len(code) == 15:
        return code[:12]
    return code[:9] + "000" if not code.endswith("000") else dd.COUNTY_CODE


@pytest.mark.parametrize("child_len", ["township", "village", "grid"])
def test_boundaries_nest_exactly(county, levels, child_len):
    geoms = county.boundaries.set_index("code").geometry
    children = levels[child_len].code
    for parent, kids in children.groupby(children.map(_parent)):
        p = geoms[parent]
        parts = geoms[kids.tolist()].values
        union = shapely.union_all(parts)
        assert abs(union.area - p.area) / p.area < 1e-9, parent
        assert shapely.symmetric_difference(union, p).area / p.area < 1e-9, parent
        assert abs(shapely.area(parts).sum() - p.area) / p.area < 1e-9, f"children of {parent} overlap"


# ----------------------------------------------------------------------------- loads

def test_loads_are_one_file_per_township_per_day(county, levels):
    townships = levels["township"].name.tolist()
    names = [ld.file_name for ld in county.loads]
    assert len(names) == len(set(names))
    for day in dd.DATES:
        stamp = day.strftime("%Y%m%d")
        for domain, label in dd.DOMAIN_FILE_LABELS.items():
            todays = [ld for ld in county.loads if ld.domain == domain and ld.snapshot_date == day]
            if domain == "vaccination":
                assert [ld.file_name for ld in todays] == [f"示范县_疫苗接种_{stamp}.csv"]
                continue
            hours = {}
            for ld in todays:
                hours.setdefault(ld.file_name.split("_")[1], []).append(ld.as_of_hour)
                suffix = "" if ld.as_of_hour == 24 else f"_{ld.as_of_hour}时"
                assert ld.file_name == f"示范县_{ld.file_name.split('_')[1]}_{label}_{stamp}{suffix}.csv"
            assert sorted(hours) == sorted(townships)
            assert all(h in ([24], [12, 18]) for h in hours.values())


def test_frames_carry_code_and_canonical_fields(county, levels):
    grid_codes, village_codes = set(levels["grid"].code), set(levels["village"].code)
    for ld in county.loads:
        f = ld.frame
        assert f.columns.tolist() == ["code", *dd.DOMAIN_FIELDS[ld.domain]], ld.file_name
        assert f.code.is_unique
        assert set(f.code) <= (village_codes if ld.domain == "vaccination" else grid_codes)
        for col in dd.DOMAIN_FIELDS[ld.domain]:
            expected = "Int64" if col == "resident_population" else "int64"
            assert str(f[col].dtype) == expected, (ld.file_name, col)
            assert (f[col].dropna() >= 0).all()
        assert not f.drop(columns="resident_population", errors="ignore").isna().any().any()
    vaccination = [ld for ld in county.loads if ld.domain == "vaccination"]
    assert all(set(ld.frame.code) == village_codes for ld in vaccination)


def test_resident_population_reported_by_exactly_one_township(county):
    testing = pd.concat([ld.frame for ld in county.loads if ld.domain == "testing"])
    reported = testing[testing.resident_population.notna()]
    assert reported.code.str[:9].nunique() == 1
    assert testing[testing.code.str[:9] == reported.code.str[:9].iat[0]].resident_population.notna().all()
    assert 0.5 < testing.resident_population.isna().mean() < 0.99
    assert (reported.resident_population >= reported.target_persons).all()


def test_two_as_of_hours_for_some_township_days(county, daily):
    partial = [ld for ld in county.loads if ld.as_of_hour != 24]
    assert {ld.as_of_hour for ld in partial} == {12, 18} and len(partial) == 4
    assert all(ld.domain == "testing" for ld in partial)
    for noon, evening in zip(partial[::2], partial[1::2]):
        assert (noon.as_of_hour, evening.as_of_hour) == (12, 18)
        assert noon.snapshot_date == evening.snapshot_date
        assert noon.frame.code.tolist() == evening.frame.code.tolist()
        assert (evening.frame.sampled >= noon.frame.sampled).all()
        assert evening.frame.sampled.sum() > noon.frame.sampled.sum()
        yesterday = daily["testing"][daily["testing"].snapshot_date == noon.snapshot_date - dt.timedelta(days=1)]
        merged = noon.frame.merge(yesterday, on="code", suffixes=("", "_prev"))
        assert (merged.sampled >= merged.sampled_prev).all() and (merged.tested >= merged.tested_prev).all()


# ----------------------------------------------------------------------------- values over time

@pytest.mark.parametrize("domain", list(CUMULATIVE))
def test_cumulative_fields_drop_only_where_planted_or_at_round_reset(county, daily, domain):
    df = daily[domain].sort_values(["code", "snapshot_date"])
    prev = df.groupby("code")[["snapshot_date", *CUMULATIVE[domain]]].shift()
    has_prev = prev.snapshot_date.notna()
    if domain == "testing":
        round_of = {day: _round_of(county, day) for day in dd.DATES}
        has_prev &= df.snapshot_date.map(round_of) == prev.snapshot_date.map(round_of)
    found = set()
    for field in CUMULATIVE[domain]:
        drops = df[has_prev & (df[field] < prev[field])]
        found |= {(d, c, field) for d, c in zip(drops.snapshot_date, drops.code)}
    planted = county.anomalies[(county.anomalies.domain == domain) & (county.anomalies.kind == "cumulative_drop")]
    assert found == set(zip(planted.snapshot_date, planted.code, planted.field))


def test_testing_resets_at_round_two(county, daily):
    start = county.rounds.start_date.iat[1]
    t = daily["testing"]
    before = t[t.snapshot_date == start - dt.timedelta(days=1)].set_index("code").sampled
    after = t[t.snapshot_date == start].set_index("code").sampled
    both = before.index.intersection(after.index)
    assert (after[both] < before[both]).mean() > 0.95
    assert county.rounds.start_date.tolist() == [dt.date(2022, 4, 1), dt.date(2022, 4, 26)]


def test_testing_coverage_follows_the_rounds(county, daily):
    assert 0.83 <= _coverage(county, daily, dd.LAST_DATE) <= 0.91
    assert 0.85 <= _coverage(county, daily, dd.FIRST_DATE) <= 0.90
    assert 0.85 <= _coverage(county, daily, dt.date(2022, 4, 25)) <= 0.90
    assert 0.12 <= _coverage(county, daily, dt.date(2022, 4, 26)) <= 0.30
    assert _coverage(county, daily, dt.date(2022, 4, 30)) >= 0.78


def test_some_villages_lag(county, daily):
    last = daily["testing"][daily["testing"].snapshot_date == dd.LAST_DATE]
    last = last.assign(residents=county.register.set_index("code").loc[last.code, "resident_population"].to_numpy())
    by_village = last.groupby(last.code.str[:12])[["sampled", "residents"]].sum()
    rate = by_village.sampled / by_village.residents
    assert 3 <= (rate < 0.72).sum() <= 10
    assert rate.median() > 0.85


def test_no_unplanted_coverage_over_100_percent(county, daily):
    reg = county.register.set_index("code")
    t = daily["testing"]
    over = t[(t.sampled > t.target_persons) | (t.sampled > reg.loc[t.code, "resident_population"].to_numpy())
             | (t.sampled > t.resident_population.fillna(np.iinfo("int64").max)).to_numpy(bool)]
    v = daily["vaccination"]
    over_v = v[v.dose1 > v.target_population]
    found = {("testing", d, c, "sampled") for d, c in zip(over.snapshot_date, over.code)} | \
            {("vaccination", d, c, "dose1") for d, c in zip(over_v.snapshot_date, over_v.code)}
    planted = county.anomalies[county.anomalies.kind == "over_100_percent"]
    assert found == set(zip(planted.domain, planted.snapshot_date, planted.code, planted.field))
    assert ((v.full_course <= v.dose1) & (v.booster <= v.full_course)).all()
    assert (t.tested <= t.sampled).all() and (t.positives <= t.tested).all()


def test_planted_anomalies_are_listed(county):
    a = county.anomalies
    assert a.columns.tolist() == ["domain", "snapshot_date", "code", "field", "kind", "note"]
    assert set(a.kind) == {"cumulative_drop", "over_100_percent"}
    assert (a.kind == "cumulative_drop").sum() >= 2 and a[a.kind == "over_100_percent"].domain.nunique() == 2
    assert a.snapshot_date.between(dd.FIRST_DATE, dd.LAST_DATE).all()
    assert a.code.isin(county.units.code).all() and a.note.str.len().gt(0).all()


def test_screening_values_plausible(county, daily):
    s = daily["screening"]
    reg = county.register.set_index("code")
    assert (s.households_checked <= s.households_total).all()
    assert (s.households_total.to_numpy() == reg.loc[s.code, "households_total"].to_numpy()).all()
    assert (s.persons_checked <= reg.loc[s.code, "resident_population"].to_numpy()).all()
    assert (s.risk_area_returnees <= s.returnees).all()
    stocks = s.sort_values(["code", "snapshot_date"]).groupby("code").home_isolation.diff()
    assert (stocks < 0).any() and (stocks > 0).any(), "isolation is a stock, not a count"
    assert s.central_isolation.max() <= 10 and s.home_isolation.max() <= 20


def test_vaccination_levels(daily):
    v = daily["vaccination"]
    rate = v.groupby("snapshot_date")[["dose1", "full_course", "booster"]].sum().div(
        v.groupby("snapshot_date").target_population.sum(), axis=0)
    assert rate.dose1.between(0.90, 0.95).all() and rate.full_course.between(0.85, 0.92).all()
    assert 0.37 <= rate.booster.iat[0] <= 0.43 and 0.52 <= rate.booster.iat[-1] <= 0.58


def test_positives_are_a_handful(daily):
    per_day = daily["testing"].groupby("snapshot_date").positives.sum()
    assert per_day.max() <= 12 and per_day.sum() > 0


# ----------------------------------------------------------------------------- missing reports

def test_missing_grids(county, levels, daily):
    grids = set(levels["grid"].code)
    for domain in ("screening", "testing"):
        reported = daily[domain].groupby("snapshot_date").code.nunique()
        missing = 1 - reported / len(grids)
        assert missing.between(0.01, 0.07).all(), domain
        assert missing[dd.LAST_DATE] > 0
        present = daily[domain].pivot_table(index="snapshot_date", columns="code", values="households_total"
                                            if domain == "screening" else "target_persons").notna()
        present = present.reindex(columns=sorted(grids), fill_value=False).to_numpy()
        silent_last_five = present[-6] & ~present[-5:].any(axis=0)
        assert silent_last_five.sum() >= 1, "a grid reported, then fell silent for the last 5 days"
        assert _gap_lengths(present) >= {2, 5}, "several-day gaps, of which one 5 days long"


def _gap_lengths(present: np.ndarray) -> set[int]:
    """Lengths of the runs of consecutive days a grid failed to report, over all grids."""
    lengths, run = set(), np.zeros(present.shape[1], int)
    for row in np.vstack([present, np.ones(present.shape[1], bool)]):
        lengths |= set(run[row & (run > 0)].tolist())
        run = np.where(row, 0, run + 1)
    return lengths
