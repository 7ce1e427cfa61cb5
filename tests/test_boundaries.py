"""Boundary files in any CRS and format, matched by code or name; GCJ-02 converted against published point pairs."""
import zipfile

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from dashboard.analysis import rollup
from dashboard.intake import boundaries, gcj02, units
from dashboard.storage import geo
from tests.conftest import FIXTURES

VILLAGES = [f"4111221042{i:02d}" for i in range(1, 13)]
# (wgs lat, wgs lon, gcj lat, gcj lon), published with the reference implementation of the algorithm
KNOWN = [(31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
         (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
         (39.911954, 116.377817, 39.91334545536069, 116.38404722455657)]


@pytest.fixture
def store(empty_store):
    units.load_units(empty_store, FIXTURES / "taichen_units.csv")
    return empty_store


def villages_wgs84() -> gpd.GeoDataFrame:
    """12 village squares near 临颍县 (lon 113.9, lat 33.8), 0.01° apart."""
    shapes = [box(113.90 + (i % 4) * 0.01, 33.80 + (i // 4) * 0.01, 113.91 + (i % 4) * 0.01, 33.81 + (i // 4) * 0.01)
              for i in range(12)]
    return gpd.GeoDataFrame({"区划代码": VILLAGES}, geometry=shapes, crs=4326)


def stored(store, code):
    town = rollup.unit(store, "411122104000")
    shapes = geo.child_shapes(store, town, level="village").set_index("code")
    return shapes.geometry[code]


@pytest.mark.parametrize("crs", [4490, 4547])
def test_geojson_and_geopackage_in_cgcs2000_geographic_or_projected(store, tmp_path, crs):
    source = villages_wgs84()
    path = tmp_path / ("v.geojson" if crs == 4490 else "v.gpkg")
    source.to_crs(crs).to_file(path)
    result = boundaries.load_boundaries(store, path)
    assert result.matched == 12 and result.unmatched_features == [] and result.matched_by == "code"
    assert "台陈镇（411122104000）" in result.units_without_geometry
    got = stored(store, VILLAGES[5])
    assert got.equals_exact(source.geometry[5], tolerance=1e-6) or got.normalize().equals_exact(
        source.geometry[5].normalize(), tolerance=1e-6)


def test_zipped_shapefile_matched_by_name_and_country_prefixed_code(store, tmp_path):
    names = ["台陈村", "宋王村", "前杜", "不存在村"]
    frame = gpd.GeoDataFrame({"NAME": names}, geometry=list(villages_wgs84().geometry[:4]), crs=4326)
    shp = tmp_path / "shp"
    shp.mkdir()
    frame.to_file(shp / "villages.shp", encoding="utf-8")
    archive = tmp_path / "villages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.iterdir():
            zf.write(part, part.name)
    result = boundaries.load_boundaries(store, archive)
    assert (result.matched, result.matched_by, result.unmatched_features) == (3, "name", ["不存在村"])
    county = gpd.GeoDataFrame({"adcode": ["156411122"]}, geometry=[box(113.8, 33.7, 114.0, 33.9)], crs=4326)
    county.to_file(tmp_path / "county.geojson")
    assert boundaries.load_boundaries(store, tmp_path / "county.geojson").matched == 1


def test_gcj02_conversion_matches_published_points():
    for wgs_lat, wgs_lon, gcj_lat, gcj_lon in KNOWN:
        lon, lat = gcj02.wgs84_to_gcj02(wgs_lon, wgs_lat)
        assert (lon, lat) == pytest.approx((gcj_lon, gcj_lat), abs=1e-9)
        lon, lat = gcj02.gcj02_to_wgs84(gcj_lon, gcj_lat)
        assert (lon, lat) == pytest.approx((wgs_lon, wgs_lat), abs=1e-7)


def test_a_gcj02_file_is_converted_when_the_user_says_so(store, tmp_path):
    wgs_lat, wgs_lon, gcj_lat, gcj_lon = KNOWN[0]
    triangle = shapely.Polygon([(gcj_lon, gcj_lat), (gcj_lon + 0.01, gcj_lat), (gcj_lon, gcj_lat + 0.01)])
    gpd.GeoDataFrame({"code": [VILLAGES[0]]}, geometry=[triangle], crs=4326).to_file(tmp_path / "amap.geojson")
    boundaries.load_boundaries(store, tmp_path / "amap.geojson", gcj=True)
    vertices = shapely.get_coordinates(stored(store, VILLAGES[0]))
    assert any(abs(x - wgs_lon) < 1e-6 and abs(y - wgs_lat) < 1e-6 for x, y in vertices)
    boundaries.load_boundaries(store, tmp_path / "amap.geojson")  # without the flag: stored as given
    vertices = shapely.get_coordinates(stored(store, VILLAGES[0]))
    assert any(abs(x - gcj_lon) < 1e-9 and abs(y - gcj_lat) < 1e-9 for x, y in vertices)


def test_an_unreadable_boundary_file_is_a_clear_error(store, tmp_path):
    from dashboard.domain.messages import InputError
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    with pytest.raises(InputError) as caught:
        boundaries.load_boundaries(store, path)
    assert caught.value.messages[0].key == "err_unreadable" and "broken.geojson" in caught.value.messages[0].text()
