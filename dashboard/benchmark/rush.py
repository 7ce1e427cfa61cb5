"""`python -m dashboard bench --rush`: the morning rush (issue 18), measured on 127.0.0.1.

Twenty people open the overview and the map of different units at once while two clerks' loads and a rollback
run. One Streamlit server (or several behind one port, `--servers`, `proxy.py`) serves a temporary copy of the demo
county's store. The people are one of two kinds of client (`--clients`):
- `ws` (default): WebSocket clients speaking Streamlit's protocol and rendering nothing (`dashboard/ui/ws_client.py`,
  one process for all sessions): a page's time is from opening the socket to the last run's `script_finished`, the
  server's whole part of a page load. Why the default: in a county the browsers run on the readers' own devices, and
  on these two cores twenty Chromium contexts did nine tenths of the work, so the browser rush timed the browsers.
- `browser`: one Chromium with a browser context per session, each driven by its own thread and its own sync
  Playwright connected over the DevTools protocol, every page timed by `browser.full_load` (drawn and quiet).
They arrive in one of two ways (`--arrivals`): `closed`, each opening its next page as soon as the last one is
done (the worst case: twenty reruns always queued); `reading`, each arriving at a random moment of the first 20 s
and reading every page a random 5-20 s (seeded) before the next (a morning: twenty leaders open the link within
the same minutes). In one run:
- one user: one session opens every page of the plan in turn (one warm-up pass, then `repeat` measured passes, back
  to back whatever the arrivals);
- the rush: `sessions` sessions at once, each opening the overview and the map of a unit `iterations` times (and on
  while a writer is still running), the writers started once every session has its first page; two CLI ingests
  (corrections of the last day, county-wide) and one CLI rollback run concurrently against the same store;
- the writers alone: the same three commands one after the other on another copy of the store, nobody reading.

An error is a visit that raised (no page, no settle or no `script_finished` within the browser benchmark's
patience) or a page showing Streamlit's exception element or an error alert. A torn read is the notion of
tests/test_faults.py carried to the pages: every writer changes exactly one domain (testing, vaccination,
screening), and each figure that one read gives (a domain's card on the overview, one rollup; the map's areas, one
rollup) must be whole before or whole after its writer, i.e. one of the texts that the page showed before the rush
(one user) or after it (every writer done). How long a writer waited: the moment it held the store's `.gate` (every
reader stepped aside, its write began), read from /proc/locks, under the rush against the same writer alone on an
idle store. Where the cores went: the CPU seconds of the server(s) and of the clients per page, one user and the
rush, and the rest of the machine (the writers, Playwright, other users of the machine).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import pandas as pd

from ..example import demo_data
from ..intake import loads
from ..storage.store import Store
from . import browser, proxy

DOMAINS = ("testing", "vaccination", "screening")  # each writer's domain: the two ingests', the rollback's
TARGET_P95 = 4.0  # p95 under the rush against one user's
TARGET_WAIT_S = 30.0  # no ingest may wait longer for the store
WRITER_BOUND_S = 300.0  # a writer still running then is killed (a bound, not a target)
START_WRITERS_AFTER_S = 120.0  # the writers start then at the latest, even if a session has no page yet
EXTRA_ROUNDS = 3  # a session goes on while a writer runs, at most this many times its planned visits
VIEWPORT = {"width": 1440, "height": 900}
# What a page showed: an error, and each figure that one read gives (see the module docstring).
INSPECT = """(domains) => {
  const bad = document.querySelector("[data-testid='stException'], [data-testid='stAlertContentError']");
  const seen = {};
  for (const d of domains) { const c = document.querySelector('.st-key-card-' + d); if (c) seen[d] = c.innerText; }
  const shapes = Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] g.mark-shape path"));
  if (location.pathname.endsWith('/map') && shapes.length)
    seen.map = JSON.stringify(shapes.map(p => [p.getAttribute('aria-label'), p.getAttribute('fill')]));
  return {error: bad ? bad.innerText.slice(0, 300) : null, seen}; }"""


# ---- what the rush opens and what it writes ---------------------------------------------------
def plan(db: pathlib.Path, units: int, writers: int) -> tuple[list[str], list[str], int]:
    """The units (the county, the township whose screening load is rolled back, other townships, that township's
    villages: each sees a writer's change), the pages (each unit's overview and its map in each writer's domain),
    and the load to roll back (the newest screening load of the last day, one township's)."""
    store = Store(db)
    try:
        county = store.query("root_units")["code"].iloc[0]
        townships = store.query("unit_children", code=county)
        history = loads.history(store)
        screening = history[(history["domain"] == "screening") & (history["status"] == "active")]
        victim = screening.sort_values("load_id").iloc[-1]
        town = townships[[name in victim["file_name"] for name in townships["name"]]].iloc[0]
        villages = store.query("unit_children", code=town["code"])["code"]
        others = townships.loc[townships["code"] != town["code"], "code"]
    finally:
        store.close()
    codes = [county, town["code"], *villages[:1], *others[:1], *villages[1:2], *others[1:2]][:units]
    pages = [path for code in codes for path in (f"/?unit={code}", *(f"/map?unit={code}&domain={d}"
                                                                     for d in DOMAINS[:writers]))]
    return codes, pages, int(victim["load_id"])


def corrections(folder: pathlib.Path) -> list[pathlib.Path]:
    """Two real loads, corrections of the demo's last day (so the pages' date stays): its testing files as one
    county-wide file, one more person sampled per grid where both denominators allow; its vaccination file, one
    more person per dose where the dose before allows. County-wide, so every measured unit's figures move."""
    last = [load for load in browser.demo_county().loads if load.snapshot_date == demo_data.LAST_DATE]
    testing = pd.concat([load.frame for load in last if load.domain == "testing"], ignore_index=True)
    room = testing[["target_persons", "resident_population"]].min(axis=1)
    testing["sampled"] = testing["sampled"] + (testing["sampled"] < room).astype(int)
    vaccination = [load.frame for load in last if load.domain == "vaccination"][-1].copy()
    for field, cap in (("dose1", "target_population"), ("full_course", "dose1"), ("booster", "full_course")):
        vaccination[field] = vaccination[field] + (vaccination[field] < vaccination[cap]).astype(int)
    paths = []
    for domain, frame in (("testing", testing), ("vaccination", vaccination)):
        path = folder / f"{demo_data.COUNTY_NAME}_{demo_data.DOMAIN_FILE_LABELS[domain]}_" \
                        f"{demo_data.LAST_DATE:%Y%m%d}_更正.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths


def writer_commands(db: pathlib.Path, files: list[pathlib.Path], load_id: int, count: int) -> list[tuple]:
    """(name, argv) of the writers, as a clerk would type them: the ingests, then the rollback; the first `count`."""
    cli = [sys.executable, "-m", "dashboard", "--db", str(db)]
    commands = [(f"ingest {path.name}", [*cli, "ingest", str(path)]) for path in files]
    commands.append((f"rollback {load_id}", [*cli, "rollback", str(load_id)]))
    return commands[:count]


# ---- the writers ----------------------------------------------------------------------------
class LockWatch:
    """When each writer process first held the store's `.intent` (through the writers' queue) and `.gate` (every
    reader had stepped aside: its write began), polled from /proc/locks. Why: the store keeps no log of its lock
    waits, and a writer's wall time alone mixes the wait with its own work, which the rush's CPU load slows too."""

    def __init__(self, db: pathlib.Path):
        self.paths = {kind: db.with_name(f"{db.name}.{kind}") for kind in ("intent", "gate")}
        self.seen: dict[tuple[int, str], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="rush-locks", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.wait(0.005):
            inodes = {}
            for kind, path in self.paths.items():
                with contextlib.suppress(FileNotFoundError):
                    inodes[os.stat(path).st_ino] = kind
            now = time.monotonic()
            with open("/proc/locks") as table:
                for line in table:  # "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"; waiters have "->"
                    part = line.split()
                    if len(part) > 5 and part[1] == "FLOCK" and part[3] == "WRITE":
                        kind = inodes.get(int(part[5].rsplit(":", 1)[1]))
                        if kind:
                            self.seen.setdefault((int(part[4]), kind), now)

    def at(self, pid: int, kind: str, started: float) -> float | None:
        held = self.seen.get((pid, kind))
        return None if held is None else held - started


def start_writer(name: str, argv: list[str]) -> dict:
    """The writer's process, and a thread that notes when it exits (writers run at once: each is timed alone)."""
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, cwd=browser.ROOT, stdout=subprocess.DEVNULL, stderr=errors)
    writer = {"name": name, "proc": proc, "errors": errors, "started": time.monotonic()}

    def wait() -> None:
        try:
            proc.wait(WRITER_BOUND_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        writer["ended"] = time.monotonic()

    writer["waiter"] = threading.Thread(target=wait, name=f"rush-{name}", daemon=True)
    writer["waiter"].start()
    return writer


def finish_writer(writer: dict, watch: LockWatch) -> dict:
    """Waits for the writer (killed after WRITER_BOUND_S); its wall time, when it held the lock, its exit status."""
    proc, started = writer["proc"], writer["started"]
    writer["waiter"].join()
    wall = writer["ended"] - started
    writer["errors"].seek(0)
    stderr = writer["errors"].read().decode(errors="replace")[-500:]
    writer["errors"].close()
    return {"name": writer["name"], "wall_s": wall, "rc": proc.returncode, "stderr": stderr if proc.returncode else "",
            "started_at": started, "ended_at": writer["ended"],
            "intent_s": watch.at(proc.pid, "intent", started), "gate_s": watch.at(proc.pid, "gate", started)}


def writers_alone(source_db: pathlib.Path, db: pathlib.Path, commands) -> list[dict]:
    """The same writers one after the other on a fresh copy `db` of the store, nobody reading: each one's own time."""
    shutil.copyfile(source_db, db)
    with LockWatch(db) as watch:
        return [finish_writer(start_writer(name, argv), watch) for name, argv in commands(db)]


# ---- the sessions ---------------------------------------------------------------------------
@contextlib.contextmanager
def shared_chromium():
    """One headless Chromium, for every session's thread to connect to: its DevTools endpoint on 127.0.0.1, its pid.
    Its profile's folder is removed after it, cleanup errors ignored: Chromium's helper processes outlive the main
    one by a moment and may still write there (a run once failed on `Directory not empty: 'Default'`)."""
    with tempfile.TemporaryDirectory(prefix="rush-chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen([browser.CHROMIUM, *browser.ARGS, "--remote-debugging-address=127.0.0.1",
                                 "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield _endpoint(pathlib.Path(profile) / "DevToolsActivePort", proc), proc.pid
        finally:
            browser.stop(proc)


def _endpoint(port_file: pathlib.Path, proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
            return f"http://127.0.0.1:{int(port_file.read_text().split()[0])}"
        time.sleep(0.1)
    raise RuntimeError("chromium did not open its DevTools port")


def visit(context, base: str, path: str) -> dict:
    """One page: its time to done, and what it showed (an error, its figures hashed), or why it failed."""
    kind = "map" if path.startswith("/map") else "overview"
    try:
        result = browser.full_load(context, base + path, inspect=lambda page: page.evaluate(INSPECT, list(DOMAINS)))
    except Exception as exc:  # any failure is a finding: an error of the rush
        return {"path": path, "kind": kind, "ms": None, "error": _why(exc), "seen": {}}
    shown = result["inspected"]
    seen = {part: hashlib.sha1(text.encode()).hexdigest()[:16] for part, text in shown["seen"].items()}
    return {"path": path, "kind": kind, "ms": result["ms"], "error": shown["error"], "seen": seen,
            "texts": shown["seen"]}


def _why(exc: Exception) -> str:
    """An exception on one line (Playwright's carry a call log over many), for the report's table."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def session(endpoint: str, base: str, paths: list[str], more, out: list, first=None) -> None:
    """A person's morning in a browser context of its own: `paths` in order, then round again while `more()`
    (at most EXTRA_ROUNDS times as many); `first()` is called after the first page."""
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            # Playwright's 30 s default to connect was too short for 20 sessions starting at once on a loaded machine
            context = p.chromium.connect_over_cdp(endpoint, timeout=browser.PATIENCE_MS).new_context(viewport=VIEWPORT)
            try:
                for n in range(len(paths) * (1 + EXTRA_ROUNDS)):
                    if n >= len(paths) and not more():
                        break
                    out.append(visit(context, base, paths[n % len(paths)]))
                    if n == 0 and first:
                        first()
            finally:
                context.close()
    except Exception as exc:  # no browser context at all: the session's pages are errors too
        out.append({"path": "", "kind": "session", "ms": None, "error": _why(exc), "seen": {}})
        if first and not out[:-1]:
            first()


class BrowserClients:
    """The people as Chromium contexts of one shared headless Chromium, each driven by its own thread (its own sync
    Playwright: its API cannot start on a thread that already runs one, e.g. a test process's shared browser)."""

    label = "Chromium"

    def __init__(self, stack: contextlib.ExitStack, base: str):
        self.endpoint, self.pid = stack.enter_context(shared_chromium())
        self.base = base

    def cpu(self) -> float:
        """Chromium's CPU seconds so far, with its children's (its renderers, its GPU process)."""
        return cpu_now({"clients": [self.pid]})["clients"]

    def start(self, plans: list[list[str]], first=None, think=None) -> "Running":
        """A thread per plan; `first()` after each one's first page. Reading time is the ws clients' only."""
        more = threading.Event()
        visits: list[list] = [[] for _ in plans]
        threads = [threading.Thread(target=session, name=f"rush-{s}", daemon=True,
                                    args=(self.endpoint, self.base, paths, lambda: not more.is_set(), visits[s], first))
                   for s, paths in enumerate(plans)]
        for thread in threads:
            thread.start()

        def join() -> list[dict]:
            for thread in threads:
                thread.join()
            return [v for per in visits for v in per]
        return Running(more.set, join)


class WsClients:
    """The people as WebSocket clients speaking Streamlit's protocol, rendering nothing (`dashboard/ui/ws_client.py`,
    run as a process of its own: only the UI imports Streamlit). Every session of a phase runs in that one process;
    the CPU it reports is the clients' column of the report."""

    label = "WS clients"

    def __init__(self, base: str, folder: pathlib.Path, seed: int = 18):
        self.url = base.replace("http://", "ws://") + "/_stcore/stream"
        self.folder, self.seed, self.spent, self.runs = folder, seed, 0.0, 0

    def cpu(self) -> float:
        """The CPU seconds of every client process that has ended (a phase is read after its clients ended)."""
        return self.spent

    def start(self, plans: list[list[str]], first=None, think=None) -> "Running":
        """The client process on `plans`, its events read by a thread: `first()` per session's first page."""
        self.runs += 1
        stop = self.folder / f"ws-stop-{self.runs}"
        plan = {"url": self.url, "sessions": plans, "think": think, "seed": self.seed, "stop_file": str(stop),
                "extra_rounds": EXTRA_ROUNDS}
        errors = tempfile.TemporaryFile()  # a pipe nobody reads could fill and stall it; quoted if it fails
        proc = subprocess.Popen([sys.executable, "-m", "dashboard.ui.ws_client"], cwd=browser.ROOT, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        proc.stdin.write(json.dumps(plan))
        proc.stdin.close()
        visits: list[dict] = []
        reader = threading.Thread(target=self._read, args=(proc, visits, first, errors), name="rush-ws", daemon=True)
        reader.start()

        def join() -> list[dict]:
            reader.join()
            proc.wait()
            return visits
        return Running(stop.touch, join)

    def _read(self, proc: subprocess.Popen, visits: list[dict], first, errors) -> None:
        for line in proc.stdout:
            event = json.loads(line)
            if "visit" in event:
                visits.append(event["visit"])
            elif "first" in event and first:
                first()
            elif "done" in event:
                self.spent += event["cpu_s"]
        if proc.wait():  # the client process itself failed: the pages it did not report are errors of the harness
            errors.seek(0)
            why = " ".join(errors.read().decode(errors="replace").split()[-40:])
            visits.append({"path": "", "kind": "session", "ms": None, "seen": {},
                           "error": f"ws client exited {proc.returncode}: {why}"})
        errors.close()


class Running:
    """A phase's sessions under way: `stop()` ends their extra rounds (the writers are done), `join()` their visits."""

    def __init__(self, stop, join):
        self.stop, self.join = stop, join


def one_user(clients, pages: list[str], passes: int) -> list[dict]:
    """One session, every page in turn, `passes` times (the first pass fills the browser's and the server's caches)."""
    if not pages or passes < 1:
        return []
    running = clients.start([pages * passes])
    running.stop()
    return running.join()


def rush(clients, codes: list[str], domains: tuple, sessions: int, iterations: int, commands: list[tuple],
         watch: LockWatch, think=None) -> dict:
    """`sessions` people at once, each on its own units; the writers start once every one has a page."""
    started = threading.Semaphore(0)
    running = clients.start([_paths(s, codes, domains, iterations) for s in range(sessions)], started.release, think)
    deadline = time.monotonic() + START_WRITERS_AFTER_S
    for _ in range(sessions):
        started.acquire(timeout=max(deadline - time.monotonic(), 0))
    written = [finish_writer(writer, watch) for writer in [start_writer(name, argv) for name, argv in commands]]
    running.stop()
    return {"visits": running.join(), "writers": written}


def _paths(s: int, codes: list[str], domains: tuple, iterations: int) -> list[str]:
    """Session s's visits: the overview and the map of one unit an iteration, each session starting elsewhere."""
    out = []
    for k in range(iterations):
        code, domain = codes[(s + k) % len(codes)], domains[(s // len(codes) + k) % len(domains)]
        out += [f"/?unit={code}", f"/map?unit={code}&domain={domain}"]
    return out


def cpu_now(roots: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far: the machine's busy and total (/proc/stat, every user of it), and each named process's with
    its descendants (those already ended counted in their parents' children's time), summed over a name's processes
    (several servers). Why: on 2 cores, whether the rush is slow because of the server or because of the clients
    that play its users decides what would help."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        ticks = [int(x) for x in stat.readline().split()[1:]]
    out = {"busy": (sum(ticks) - ticks[3] - ticks[4]) / tick, "total": sum(ticks) / tick}
    parent, spent = {}, {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, IndexError, ValueError):
            field = pathlib.Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            parent[int(entry)], spent[int(entry)] = int(field[1]), sum(map(int, field[11:15])) / tick
    for name, root in roots.items():
        tree, grown = set(root), True
        while grown:
            more = {pid for pid, up in parent.items() if up in tree} - tree
            tree |= more
            grown = bool(more)
        out[name] = sum(spent.get(pid, 0.0) for pid in tree)
    return out


@contextlib.contextmanager
def spent(roots: dict[str, list[int]], clients):
    """The block's CPU seconds (see `cpu_now`; the clients' from `clients.cpu()`) and wall time, filled into the
    yielded dict when it ends."""
    out: dict[str, float] = {}
    before, began = cpu_now(roots) | {"clients": clients.cpu()}, time.monotonic()
    yield out
    now = cpu_now(roots) | {"clients": clients.cpu()}
    out.update({key: now[key] - before[key] for key in before}, wall_s=time.monotonic() - began)


def serving_pid(base: str) -> int:
    """The Streamlit server's process, found by the port in its command line (`browser.served` yields the URL only)."""
    port = f"--server.port\0{base.rsplit(':', 1)[1]}\0".encode()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            if port in pathlib.Path(f"/proc/{entry}/cmdline").read_bytes():
                return int(entry)
    raise RuntimeError(f"no process serves {base}")


# ---- the run --------------------------------------------------------------------------------
CLIENTS = ("ws", "browser")
REPEAT = {"ws": 5, "browser": 2}  # one user's measured passes: its p95 is the ratio's denominator
ARRIVALS = {"closed": None, "reading": (5.0, 20.0)}  # reading: seconds a person reads a page before the next


def run(source_db: pathlib.Path, sessions: int = 20, iterations: int = 3, repeat: int | None = None, units: int = 4,
        writers: int = 3, clients: str = "ws", arrivals: str = "closed", servers: int = 1) -> dict:
    """Every measure of the module docstring on copies of `source_db` (the demo county's store), the people as
    `clients` (CLIENTS) arriving as `arrivals` says (ARRIVALS; one user's passes are always back to back), served
    by `servers` Streamlit processes (more than one: behind one port, `proxy.py`). One user's measured passes:
    `repeat`, by default REPEAT[clients] (a ws pass costs seconds, a browser pass minutes)."""
    repeat = REPEAT[clients] if repeat is None else repeat
    with tempfile.TemporaryDirectory(prefix="bench-rush-") as tmp, contextlib.ExitStack() as stack:
        folder = pathlib.Path(tmp)
        db = folder / "dashboard.duckdb"
        shutil.copyfile(source_db, db)
        codes, pages, load_id = plan(db, units, writers)
        files = corrections(folder)
        commands = lambda target: writer_commands(target, files, load_id, writers)  # noqa: E731
        base, bases = stack.enter_context(proxy.served_behind_one_port(browser.SERVER, db, servers))
        people = BrowserClients(stack, base) if clients == "browser" else WsClients(base, folder)
        roots = {"server": [serving_pid(one) for one in bases]}
        warm = one_user(people, pages, 1)
        for one in bases[1:]:  # one user's visits, one at a time, all land on the first server: warm the others
            one_user(WsClients(one, folder), pages, 1)
        with spent(roots, people) as single_cpu:
            single = one_user(people, pages, repeat)
        alone = writers_alone(source_db, folder / "alone.duckdb", commands)
        with LockWatch(db) as watch, spent(roots, people) as rush_cpu:
            loaded = rush(people, codes, DOMAINS[:writers], sessions, iterations, commands(db), watch,
                          ARRIVALS[arrivals])
        after = one_user(people, pages, 1)
    return {"sessions": sessions, "iterations": iterations, "units": codes, "pages": len(pages), "single": single,
            "rush": loaded, "alone": alone, "after": after, "cpu": {"single": single_cpu, "rush": rush_cpu},
            "torn": torn_reads(warm + single, loaded["visits"], after), "clients": people.label, "arrivals": arrivals,
            "servers": servers}


def torn_reads(before: list[dict], during: list[dict], after: list[dict]) -> dict:
    """Figures shown during the rush that are neither what the page showed before it nor after it (see the
    module docstring); `changed` counts the figures a writer did change, the ones that could have torn."""
    def shown(visits):
        out: dict = {}
        for v in visits:
            for part, digest in v["seen"].items():
                out.setdefault((v["path"], part), set()).add(digest)
        return out

    def texts(visits, key):
        return sorted({v.get("texts", {}).get(key[1]) for v in visits if v["path"] == key[0]} - {None})

    old, new = shown(before), shown(after)
    torn, changed, figures, examples = [], 0, 0, {}
    for v in during:
        for part, digest in v["seen"].items():
            key = (v["path"], part)
            figures += 1
            changed += old.get(key, set()) != new.get(key, set())
            if digest not in old.get(key, set()) | new.get(key, set()):
                torn.append(key)
                examples.setdefault(key, {"during": v.get("texts", {}).get(part), "before": texts(before, key),
                                          "after": texts(after, key)})
    return {"torn": torn, "examples": examples, "figures": figures, "changed": changed,
            "unsteady": sorted(k for k, v in old.items() if len(v) > 1)}


# ---- the report ------------------------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else math.nan


def page_times(visits: list[dict], kind: str) -> dict:
    """p50 and p95 (ms) of a page kind's settled visits, and how many there were."""
    times = [v["ms"] for v in visits if v["kind"] == kind and v["ms"] is not None and not v["error"]]
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "n": len(times)}


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:,.1f} s"


def _waited(alone: dict, loaded: dict) -> float | None:
    """How much later the writer held the gate under the rush than alone (else: how much longer it took)."""
    if alone["gate_s"] is not None and loaded["gate_s"] is not None:
        return max(loaded["gate_s"] - alone["gate_s"], 0.0)
    return max(loaded["wall_s"] - alone["wall_s"], 0.0)


def _aside(writer: dict) -> float | None:
    """From holding `.intent` (readers told to step aside) to holding `.gate` (every one had)."""
    if writer["intent_s"] is None or writer["gate_s"] is None:
        return None
    return writer["gate_s"] - writer["intent_s"]


def _cpu_row(name: str, cpu: dict, visits: int) -> str:
    """Where the cores went in a phase: per page for the server and for the clients, the rest (Playwright, the
    writers, the machine's other users) as a whole."""
    if not cpu or cpu["total"] <= 0 or not visits:  # no page in the phase (one user with no pass): nothing to say
        return f"| {name} | — | — | — | — | — |"
    per_page, rest = max(visits, 1), cpu["busy"] - cpu["server"] - cpu["clients"]
    return (f"| {name} | {cpu['wall_s']:,.0f} s | {cpu['busy'] / cpu['total']:.0%} | {cpu['server'] / per_page:.2f} |"
            f" {cpu['clients'] / per_page:.3g} | {rest:,.0f} ({rest / cpu['wall_s']:.1f}) |")


def markdown(result: dict) -> str:
    """The tables for BENCHMARKS.md: page times one user against the rush (p95 ratio against the 4× target),
    errors, torn reads, each writer's time alone and in the rush (its wait against the 30 s target), the cores."""
    loaded = result["rush"]
    arrival = ("back to back, no reading time" if result["arrivals"] == "closed" else
               "each arriving within the first {1:g} s, then reading a page {0:g}–{1:g} s before the next".format(
                   *ARRIVALS[result["arrivals"]]))
    lines = [f"{result['sessions']} sessions ({result['clients']}, {arrival}) × {result['iterations']} iterations"
             f" (overview and map of one of {len(result['units'])} units an iteration, more while a writer runs),"
             f" {_servers(result.get('servers', 1))}, {len(loaded['writers'])} writers during it.", ""]
    pages = [v for v in loaded["visits"] if v["kind"] != "session"]
    lines += _page_rows(result["single"], pages) + [""] + _findings(loaded["visits"], result["torn"]) + [""]
    lines += _writer_rows(result["alone"], loaded["writers"]) + [""]
    lines += ["| phase | wall | cores busy (whole machine) | server CPU-s per page |"
              f" {result['clients']} CPU-s per page |"
              " rest, CPU-s (cores on average) |", "|---|---|---|---|---|---|",
              _cpu_row("one user", result.get("cpu", {}).get("single"), len(result["single"])),
              _cpu_row("the rush", result.get("cpu", {}).get("rush"), len(pages))]
    return "\n".join(lines) + "\n"


def _servers(count: int) -> str:
    return "one Streamlit server" if count == 1 else f"{count} Streamlit servers behind one port"


def _page_rows(single: list[dict], pages: list[dict]) -> list[str]:
    lines = [f"| page | one user p50 | one user p95 | rush p50 | rush p95 | × one user's p95 (≤ {TARGET_P95:g}) |"
             " visits (one user / rush) |", "|---|---|---|---|---|---|---|"]
    for kind, title in (("overview", "总览 `/`"), ("map", "地图 `/map`")):
        one, many = page_times(single, kind), page_times(pages, kind)
        ratio = many["p95"] / one["p95"] if one["n"] and many["n"] else math.nan
        lines.append(f"| {title} | {one['p50']:,.0f} ms | {one['p95']:,.0f} ms | {many['p50']:,.0f} ms |"
                     f" {many['p95']:,.0f} ms | {ratio:.2f}×{' ✓' if ratio <= TARGET_P95 else ' ✗'} |"
                     f" {one['n']} / {many['n']} |")
    return lines


def _findings(visits: list[dict], torn: dict) -> list[str]:
    """Errors (pages; a session that could not even start is the harness's and said apart) and torn reads."""
    errors = [v for v in visits if v["error"] and v["kind"] != "session"]
    unstarted = [v for v in visits if v["kind"] == "session"]
    pages = len(visits) - len(unstarted)
    return [f"Errors: {len(errors)} of {pages} visits (target 0)"
            + (f", e.g. `{errors[0]['path']}`: {errors[0]['error'][:160]}" if errors else "") + "."
            + (f" Sessions that could not start (the harness, no page asked): {len(unstarted)}, e.g."
               f" {unstarted[0]['error'][:120]}." if unstarted else ""),
            f"Torn reads: {len(torn['torn'])} of {torn['figures']} figures shown (target 0); {torn['changed']} of "
            "them a writer changed between before and after the rush."
            + (f" Figures that differed between one user's own passes: {len(torn['unsteady'])}." if torn["unsteady"]
               else "")]


def _writer_rows(alone: list[dict], during: list[dict]) -> list[str]:
    lines = [f"| writer | alone | in the rush | held the lock after (alone → rush) | of which readers stepping aside"
             f" (rush) | waited (ingest ≤ {TARGET_WAIT_S:g} s) | exit |", "|---|---|---|---|---|---|---|"]
    for own, busy in zip(alone, during):
        waited = _waited(own, busy)
        mark = "" if not busy["name"].startswith("ingest") else " ✓" if waited <= TARGET_WAIT_S else " ✗"
        lines.append(f"| `{busy['name']}` | {_s(own['wall_s'])} | {_s(busy['wall_s'])} |"
                     f" {_s(own['gate_s'])} → {_s(busy['gate_s'])} | {_s(_aside(busy))} | {_s(waited)}{mark} |"
                     f" {busy['rc']} |")
    return lines
