"""Helper process of the benchmark: render each page through AppTest at province scale, cold then warm.

Run by `dashboard.bench` in a process of its own, so that its peak memory is
the dashboard's alone (the benchmark's pandas baseline lives elsewhere).
Prints one JSON line: render times per page and view, and the peak RSS.
"""
import json
import os
import resource
import sys
import time

PAGES = {"overview": "pages/overview.py", "map": "pages/map.py"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def render(page: str, unit: str) -> float:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=300)
    app.query_params["unit"] = unit
    app.switch_page(page) if page != "pages/overview.py" else None
    started = time.perf_counter()
    app.run()
    elapsed = (time.perf_counter() - started) * 1000
    if app.exception:
        raise RuntimeError(f"{page} {unit}: {app.exception[0].value}")
    return elapsed


def main(store_path: str, province: str, county: str, warm_runs: str = "3") -> None:
    """Fewer warm runs (the scaling table's 1) keep a national store's renders within minutes."""
    os.environ["DASHBOARD_DB"] = store_path
    out = {}
    for view, unit in (("province", province), ("county", county)):
        for name, page in PAGES.items():
            cold = render(page, unit)
            warm = min(render(page, unit) for _ in range(int(warm_runs)))
            out[f"{name}/{view}"] = {"cold_ms": cold, "warm_ms": warm}
    print(json.dumps({"pages": out, "peak_rss_mib": peak_rss_mib()}))


def peak_rss_mib() -> float:
    """This process's own high-water mark (VmHWM). Not getrusage's ru_maxrss: Linux carries that over fork and exec
    from the parent, which here holds the benchmark's multi-GiB pandas baseline."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main(*sys.argv[1:5])
