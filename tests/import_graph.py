"""Read a package's import graph from its source (AST), imports inside functions included.

Used by ``tests/test_architecture.py`` to hold the layering rules of DEVELOPERS.md.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ModuleInfo:
    """What one module imports and reaches into."""

    name: str
    path: Path
    imports: dict[str, int] = field(default_factory=dict)  # imported module -> first line
    private_names: list[tuple[str, str, int]] = field(default_factory=list)  # (module, name, line)
    private_attributes: list[tuple[str, str, int]] = field(default_factory=list)
    nested_imports: list[tuple[str, int]] = field(default_factory=list)  # imports inside a def or class
    dynamic_imports: list[int] = field(default_factory=list)  # __import__ / importlib.import_module


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def read_package(root: Path) -> dict[str, ModuleInfo]:
    """Parse every module of the package folder ``root``; return module name -> :class:`ModuleInfo`."""
    package = root.name
    modules = {module_name(root, path): path for path in sorted(root.rglob("*.py"))}
    infos = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        info = ModuleInfo(name, path)
        is_package = path.name == "__init__.py"
        aliases = {}  # local name -> package module it is bound to
        scopes = [node for node in ast.walk(tree)
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        nested = {id(node) for scope in scopes for node in ast.walk(scope)
                  if isinstance(node, (ast.Import, ast.ImportFrom))}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) in nested:
                info.nested_imports.append((ast.unparse(node), node.lineno))
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == package:
                        info.imports.setdefault(alias.name, node.lineno)
                        bound = alias.name if alias.asname else package
                        aliases[alias.asname or alias.name.split(".")[0]] = bound
                    else:
                        info.imports.setdefault(alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(name, is_package, node.level, node.module)
                if source.split(".")[0] != package:
                    info.imports.setdefault(source, node.lineno)
                    continue
                for alias in node.names:
                    candidate = f"{source}.{alias.name}"
                    if candidate in modules:  # `from package.part import module`
                        info.imports.setdefault(candidate, node.lineno)
                        aliases[alias.asname or alias.name] = candidate
                    else:
                        info.imports.setdefault(source, node.lineno)
                        if alias.name.startswith("_") and source != name:
                            info.private_names.append((source, alias.name, node.lineno))
            elif isinstance(node, ast.Call):
                function = node.func
                called = ast.unparse(function)
                if called in ("__import__", "importlib.import_module", "import_module"):
                    info.dynamic_imports.append(node.lineno)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not (node.attr.startswith("__") and node.attr.endswith("__"))):
                info.private_attributes.append((aliases[node.value.id], node.attr, node.lineno))
        infos[name] = info
    return infos


def internal_edges(infos: dict[str, ModuleInfo]) -> dict[str, set[str]]:
    """Module -> the package modules it imports (an import of ``a.b.c`` also runs ``a`` and ``a.b``)."""
    edges = {}
    for name, info in infos.items():
        targets = set()
        for imported in info.imports:
            parts = imported.split(".")
            for end in range(1, len(parts) + 1):
                candidate = ".".join(parts[:end])
                if candidate in infos and candidate != name and not name.startswith(candidate + "."):
                    targets.add(candidate)
        edges[name] = targets
    return edges


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles
