"""The rules of the layout that ruff, mypy and import-linter do not check.

* No module of ``registry/`` is longer than 1,000 lines, and at most two are longer than
  800, each saying why in a ``# Over 800 lines: <reason>`` comment near its top: a file
  that long usually wants to be a package.
* No import cycle between modules, ``TYPE_CHECKING`` and function-level imports included
  (import-linter's ``acyclic_siblings`` contract checks packages against their siblings;
  this checks every module against every other, a package's ``__init__`` included).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "registry"
MAX_LINES = 1000
LINES_NEEDING_A_REASON = 800
MAX_LONG_MODULES = 2
REASON_MARKER = "# Over 800 lines:"


def module_lengths() -> dict[str, int]:
    return {
        str(path.relative_to(PACKAGE_DIR.parent)): len(path.read_text().splitlines())
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
    }


def test_no_module_is_over_the_hard_limit() -> None:
    too_long = {name: lines for name, lines in module_lengths().items() if lines > MAX_LINES}
    assert too_long == {}


def test_long_modules_say_why_and_are_few() -> None:
    long_modules = [name for name, lines in module_lengths().items() if lines > LINES_NEEDING_A_REASON]
    unexplained = [
        name
        for name in long_modules
        if not any(line.startswith(REASON_MARKER) for line in (PACKAGE_DIR.parent / name).read_text().splitlines()[:10])
    ]
    assert unexplained == []
    assert len(long_modules) <= MAX_LONG_MODULES, long_modules


def strongly_connected_components(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules, but recursion
    depth should not depend on how the code happens to be written)."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index_of:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(edges.get(root, ())))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                successor = pending.pop()
                if successor not in index_of:
                    index_of[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, sorted(edges.get(successor, ()))))
                elif successor in on_stack:
                    low[node] = min(low[node], index_of[successor])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def test_cycle_finder_finds_cycles() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e"]}
    assert sorted(strongly_connected_components(edges)) == [["a", "b", "c"], ["d"], ["e"]]


def test_no_import_cycles_between_modules() -> None:
    graph = grimp.build_graph("registry", exclude_type_checking_imports=False)
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    cycles = [component for component in strongly_connected_components(edges) if len(component) > 1]
    self_imports = [module for module, imported in edges.items() if module in imported]
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(cycle) for cycle in cycles)
    assert self_imports == []
