"""The rules every module keeps (docs/ARCHITECTURE.md), read from the source itself.

Every import counts, a function's own included: an import loop hidden inside a
function is still a loop, and a core module that imports an adapter there still
does I/O.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "automation"
#: What the pure core never imports: Google's clients, the workbook, the web, files and sockets.
IO_LIBRARIES = {"gspread", "googleapiclient", "google", "openpyxl", "flask", "werkzeug",
                "waitress", "requests", "httplib2", "sqlite3", "socket", "schedule", "segno"}
#: Beside the core, what it may import: the interfaces (``ports``) and the settings'
#: dataclasses (``config``: the core is handed settings, it never loads them).
CORE_MAY_USE = {"automation.ports", "automation.config"}


def imports(module: Path) -> set[str]:
    """Every module ``module`` imports, anywhere in it (dotted names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            if node.module == "automation":  # from automation import config, …
                found.update(f"automation.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    """Each automation module → the automation modules it imports."""
    modules = {f"automation.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return {name: {i for i in imports(path) if i in modules} for name, path in modules.items()}


def core_modules() -> set[str]:
    """The modules ARCHITECTURE.md's table calls core."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return {f"automation.{m}" for m in re.findall(r"^\| `automation/(\w+)\.py` \| core \|", text,
                                                    flags=re.MULTILINE)}


def test_no_module_imports_itself_round_a_loop() -> None:
    edges = graph()
    loops = []

    def visit(name: str, path: list[str]) -> None:
        for nxt in sorted(edges[name]):
            if nxt in path:
                loops.append(" → ".join([*path[path.index(nxt):], nxt]))
            elif len(path) < len(edges):
                visit(nxt, [*path, nxt])

    for start in sorted(edges):
        visit(start, [start])
    assert not loops, sorted(set(loops))[:5]


def test_the_core_imports_no_io_and_nothing_but_the_core() -> None:
    core = core_modules()
    assert len(core) >= 20 and "automation.ranking" in core  # the table was read
    edges = graph()
    for name in sorted(core | CORE_MAY_USE):
        path = PACKAGE / f"{name.split('.')[1]}.py"
        libraries = {i.split(".")[0] for i in imports(path)} & IO_LIBRARIES
        assert not libraries, f"{name} imports {sorted(libraries)}"
        outside = sorted(edges[name] - core - CORE_MAY_USE)
        assert not outside, f"{name} (core) imports {outside}"
