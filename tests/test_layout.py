"""The package layout: every import inside dashboard/ runs the way the stages allow (dashboard/__init__.py).

Imports inside functions count too: a lazy import is still an arrow, and a circle held open by one is still a circle.
"""
import ast
import importlib
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dashboard"
STAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def modules() -> list[pathlib.Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def dotted(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(name: str) -> str | None:
    """`dashboard.intake.ingest` -> intake; `dashboard.__main__` belongs to the CLI."""
    parts = name.split(".")
    if parts[0] != "dashboard" or len(parts) < 2:
        return None
    return "commands" if parts[1] == "__main__" else parts[1]


def imports_from(path: pathlib.Path) -> list[tuple[str, str | None]]:
    """Every (module, name) a file imports, anywhere in it, the module as an absolute dotted name."""
    here = dotted(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found += [(base, alias.name) for alias in node.names]
    return found


def imported(path: pathlib.Path) -> set[str]:
    """Every module a file imports, as absolute dotted names (`from . import x` gives the module x too)."""
    found = set()
    for base, name in imports_from(path):
        found.add(base)
        if name and _is_module(f"{base}.{name}"):
            found.add(f"{base}.{name}")
    return found


def _is_module(name: str) -> bool:
    target = ROOT / name.replace(".", "/")
    return target.with_suffix(".py").exists() or (target / "__init__.py").exists()


def allowed(stage: str) -> set[str]:
    return {stage, *importlib.import_module(f"dashboard.{stage}").MAY_IMPORT}


def test_every_stage_declares_what_it_may_import_and_only_existing_stages():
    for stage in STAGES:
        may = importlib.import_module(f"dashboard.{stage}").MAY_IMPORT
        assert set(may) <= set(STAGES), (stage, may)
        assert importlib.import_module(f"dashboard.{stage}").__doc__, f"dashboard/{stage} says what it owns"


def test_no_module_sits_outside_a_stage():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_the_way_the_stages_allow(path):
    stage = stage_of(dotted(path))
    wrong = sorted(name for name in imported(path)
                   if stage_of(name) and stage and stage_of(name) not in allowed(stage))
    assert wrong == [], f"{path.relative_to(ROOT)} ({stage}) may import only {sorted(allowed(stage))}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_import_names_something_that_exists(path):
    """Lazy imports inside functions run only when a page or command needs them; a stale one would fail there."""
    missing = [f"{base}.{name}" for base, name in imports_from(path) if base.split(".")[0] == "dashboard" and name
               and not _is_module(f"{base}.{name}") and not hasattr(importlib.import_module(base), name)]
    assert missing == []


def test_only_the_ui_imports_streamlit():
    outside = [str(p.relative_to(ROOT)) for p in modules()
               if stage_of(dotted(p)) != "ui" and any(n.split(".")[0] == "streamlit" for n in imported(p))]
    assert outside == []


def test_the_stage_rules_forbid_the_arrows_that_matter():
    """Guards the table itself: a MAY_IMPORT widened by mistake would let the faces or the UI leak into the core."""
    assert "ui" not in allowed("commands") and "commands" not in allowed("ui") and "benchmark" not in allowed("ui")
    core = set(STAGES) - {"ui", "commands", "benchmark"}
    assert all("ui" not in allowed(stage) and "commands" not in allowed(stage) for stage in core)
    assert allowed("domain") == {"domain", "i18n"} and allowed("i18n") == {"i18n"}


@pytest.mark.parametrize("stage", STAGES)
def test_no_circle_among_the_modules_of_a_stage(stage):
    """A depth-first walk over the imports inside one stage; a module met again on the current path is a circle."""
    graph = {dotted(p): {n for n in imported(p) if stage_of(n) == stage and n != dotted(p)}
             for p in modules() if stage_of(dotted(p)) == stage and p.name != "__init__.py"}
    for deps in graph.values():
        deps.discard(f"dashboard.{stage}")
    circles = []

    def walk(node, path):
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                circles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in done:
                walk(nxt, path + [nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            walk(start, [start])
    assert circles == []


def test_every_file_the_readme_names_exists():
    """The README's "How it works" is the newcomer's map: a path in it that moved or went away is a wrong turn."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:dashboard|queries|tests|pages)/[A-Za-z0-9_/.-]+)`", text)) | {"app.py"}
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert len(named) > 30 and missing == []


def test_no_page_script_relies_on_streamlit_magic():
    """.streamlit/config.toml turns "magic" off (a page's script is then not rewritten on every run): a bare
    expression in app.py or a page, which magic would have shown, would now show nothing."""
    assert "magicEnabled = false" in (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            shown = isinstance(node, ast.Expr) and not isinstance(node.value, (ast.Call, ast.Constant, ast.Await))
            assert not shown, f"{path.name}:{node.lineno} is a bare expression"
