"""The layout stays readable: no module grows past what a reader takes in at once, and no module
imports, directly or through others, one that imports it (CONTRIBUTING.md, "How the code is laid
out"). Imports inside functions count; imports under ``TYPE_CHECKING`` (annotations) do not. The
layers themselves are import-linter contracts in pyproject.toml, checked by ``lint-imports``."""

from __future__ import annotations

from pathlib import Path

import grimp

SRC = Path(__file__).parent.parent / "src" / "kpirules"

#: A module longer than this is split by concern (as loader/ and linter/checks/ were).
MAX_LINES = 800


def test_no_module_is_too_long() -> None:
    long = {
        str(path.relative_to(SRC)): lines
        for path in SRC.rglob("*.py")
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines, to split by concern: {long}"


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each a cycle's members."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in imports[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_cycles_are_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("kpirules", exclude_type_checking_imports=True)
    imports = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    cycles = _cycles(imports)
    shown = []
    for members in cycles:
        links = [
            f"{a} -> {b} (line {', '.join(str(d['line_number']) for d in graph.get_import_details(importer=a, imported=b))})"
            for a in members
            for b in sorted(imports[a] & set(members))
        ]
        shown.append("\n  ".join(links))
    assert not cycles, "import cycles:\n  " + "\n\n  ".join(shown)
