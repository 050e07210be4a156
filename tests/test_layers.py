"""The layers of docs/architecture.md hold without being dodged: import-linter checks which app
imports which (`make lint`), and this checks that no import hides inside a function, where it
would be read only when the function runs."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "kernel", "catalogue", "adopters", "networks", "portal")


def function_level_project_imports(path: Path) -> list[str]:
    """`line: module` for each import of a project package inside a function, but for an
    AppConfig's ready(), where Django wants receivers connected."""
    found = []
    tree = ast.parse(path.read_text(), filename=str(path))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready" and path.name == "apps.py":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            found += [
                f"{node.lineno}: {module}" for module in modules if module.split(".")[0] in PACKAGES
            ]
    return found


@pytest.mark.parametrize(
    "path",
    [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_no_project_import_hides_in_a_function(path):
    assert function_level_project_imports(path) == []
