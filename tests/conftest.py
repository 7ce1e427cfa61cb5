"""Shared fixtures: the demo store is built once per test session, from the same module as `python -m dashboard demo`."""
from __future__ import annotations

import fcntl
import functools
import os
import pathlib
import shutil
import tempfile

import pytest
from hypothesis import settings


from dashboard.example import demo
from dashboard.storage import store as store_module
from dashboard.storage.store import Store

FIXTURES = pathlib.Path(__file__).parent / "fixtures"

# No test picks up a developer's data/accounts.json (or a $DASHBOARD_ACCOUNTS of their shell): the app runs open
# unless a test points this at an accounts file of its own (monkeypatch.setenv). Servers started by tests inherit it.
os.environ["DASHBOARD_ACCOUNTS"] = str(pathlib.Path(tempfile.mkdtemp(prefix="dashboard-tests-")) / "none.json")


# Property tests run 30 examples in the suite; `HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_ingest_property.py`
# runs 300 (a nightly job, or after a change to the readers).
settings.register_profile("suite", max_examples=30)
settings.register_profile("thorough", max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def _scan_installed_components_once() -> None:
    """Streamlit's scan of every installed package's metadata for components, once per test process: AppTest runs it
    for each new AppTest (0.14 CPU s of email-header parsing over ~140 packages, most of a page run's cost, hundreds
    of times a suite), where a served app runs it once at start-up (`Runtime`). The packages do not change during a
    run, so the first scan's answer is every later one's; the pages run as before."""
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


_scan_installed_components_once()


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: kills and concurrent readers on the demo store (run alone: -m faults)")


# CPU seconds of each long module's tests, with every process under them (Streamlit servers, Chromium, CLI runs), in
# a run of the suite (the sixth session's, 7252285, two workers, load average 4-8; a /proc sampling plugin outside the
# repository): on two cores that two workers keep busy, CPU is what a module holds the machine for, and it moves far
# less than wall time with the machine's other load (a loaded run's wall times put a browser test that timed out
# first). Only the order of the modules is taken from it, longest first; a module not listed comes after these, in
# collection order.
MODULE_SECONDS = {"test_browser": 90, "test_rush": 54, "test_backup": 36, "test_import_browser": 35,
                  "test_hostile_browser": 35, "test_analysis_browser": 30, "test_bench": 29,
                  "test_briefing_browser": 27, "test_ingest": 27, "test_faults": 27, "test_hostile": 26,
                  "test_corpus": 26, "test_import_page": 24, "test_access_browser": 24, "test_briefing": 23,
                  "test_rollup": 23, "test_analysis_pages": 14, "test_quality": 14, "test_reports": 13,
                  "test_access_pages": 12, "test_trends": 12, "test_access": 9, "test_new_domain": 9, "test_app": 9,
                  "test_ingest_guards": 8, "test_demo_data": 8, "test_canonical": 8, "test_demo_store": 7}


def pytest_collection_modifyitems(items):
    """The longest modules first (the browser ones, the benchmark's smoke run, the kill tests): with one module per
    worker (`--dist loadfile`, `--no-loadscope-reorder` in pytest.ini: xdist would otherwise order the modules by
    their number of tests), a long module handed out last is the run's tail while the other workers wait idle."""
    items.sort(key=lambda item: -MODULE_SECONDS.get(item.path.stem, 0))


@pytest.fixture(autouse=True)
def _stores_closed_after_each_test():
    """Every store read in a test is closed after it (it reopens on its next query): a Store that a cache of the
    app (st.cache_resource, across AppTest runs) or a module fixture still holds keeps no instance, file handle
    or reaper thread open into the next test."""
    yield
    for open_store in list(store_module._OPEN_STORES):
        open_store.close()


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory) -> pathlib.Path:
    """A demo store file built once for the whole run: the first worker to get here builds it in the run's shared
    temporary folder (pytest-xdist's workers share its parent) while the others wait on a lock, then every worker
    reads that one file (4 CPU s a build). Tests that write must copy it (see `demo_store_copy`)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    path = shared / "demo-shared" / "demo.duckdb"
    path.parent.mkdir(exist_ok=True)
    with open(path.parent / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            built = Store(path.with_name("building.duckdb"))  # renamed when whole: a waiting worker sees all or nothing
            demo.build(built)
            built.close()
            built.path.rename(path)
    return path


@pytest.fixture(scope="session")
def demo_store(demo_store_path) -> Store:
    return Store(demo_store_path)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run: every browser module opens its own tabs in it."""
    from tests.test_browser import launched_browser

    with launched_browser() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def server(demo_store_path, tmp_path_factory):
    """`streamlit run app.py` on a copy of the demo store, shared by the browser modules that only read it (the
    map, overview, analysis and briefing pages). A module that needs its own store or accounts defines its own
    `server`, which overrides this one."""
    from tests.test_browser import streamlit_server

    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    shutil.copyfile(demo_store_path, db)
    with streamlit_server(db) as base:
        yield base


@pytest.fixture
def demo_store_copy(demo_store_path, tmp_path) -> Store:
    target = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store_path, target)
    return Store(target)


@pytest.fixture
def empty_store(tmp_path) -> Store:
    store = Store(tmp_path / "store.duckdb")
    store.create()
    return store
