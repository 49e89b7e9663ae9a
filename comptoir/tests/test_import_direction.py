"""The apps depend on each other one way: an app imports only apps to its right in ARROW.

The worker and the commands that drive several apps (``ops``) come first; then the pages and
entry points (the order and customer pages, the administrators' settings, the API, the contact
form, mail) and the demo shop, which use the threads, which use the shop and the staff, which
use lib. Nothing imports back, so an app can be read, tested and changed knowing only what lies
to its right. The project's own modules (urls, settings, the command line, testing) sit outside
the arrow and may import any app. Pages link to each other by URL name, which is not an import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARROW: list[set[str]] = [
    {"ops"},
    {"privacy"},
    {"api", "contact_form", "mail", "orders", "desk_settings", "demo"},
    {"threads"},
    {"notifications"},
    {"shop", "staff"},
    {"lib"},
]
NOT_APPS = {"tests", "locale", "static", "templates"}
DOTTED = re.compile(r"comptoir(\.\w+)+")


def layer(app: str) -> int:
    return next(i for i, apps in enumerate(ARROW) if app in apps)


def may_import(app: str) -> set[str]:
    return set().union(*ARROW[layer(app) + 1 :])


def imported_modules(source: str, module: str, *, package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of every module ``source`` imports, wherever the import statement is,
    and of every string that is a whole ``comptoir.…`` dotted path (``import_string``, include)."""
    here = module.split(".") if package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            origin = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            found += [(node.lineno, f"{origin}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Constant) and DOTTED.fullmatch(str(node.value)):
            found.append((node.lineno, str(node.value)))
    return sorted(found)


def app_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "comptoir" or len(parts) < 2 or parts[1] in NOT_APPS:
        return None
    return parts[1] if (ROOT / parts[1]).is_dir() else None


def apps() -> list[str]:
    return sorted(
        p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in NOT_APPS
    )


def backward_imports(app: str) -> list[str]:
    """Each import of ``app``'s code (tests and migrations aside) that points left or sideways."""
    allowed = may_import(app)
    wrong = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT.parent)
        if {"tests", "migrations"} & set(relative.parts):
            continue
        module = ".".join(relative.with_suffix("").parts)
        is_package = path.name == "__init__.py"
        for line, dotted in imported_modules(path.read_text(), module, package=is_package):
            target = app_of(dotted)
            if target is not None and target != app and target not in allowed:
                wrong.append(f"{relative}:{line} imports {dotted}")
    return wrong


def test_every_app_has_a_place_in_the_arrow():
    placed = set().union(*ARROW)
    assert set(apps()) == placed


@pytest.mark.parametrize("app", apps())
def test_no_app_imports_an_app_to_its_left_or_beside_it(app):
    assert backward_imports(app) == []


def test_the_order_and_settings_apps_sit_left_of_threads_and_nothing_below_imports_them():
    for app in ("orders", "desk_settings"):
        assert may_import(app) == {"threads", "notifications", "shop", "staff", "lib"}
    for app in ("threads", "shop", "staff", "lib"):
        assert not may_import(app) & {"orders", "desk_settings", "api", "contact_form", "mail"}


def test_the_scanner_sees_every_way_of_importing():
    source = (
        "import comptoir.orders.views\n"
        "from comptoir import desk_settings\n"
        "from comptoir.api.models import Webhook\n"
        "def late():\n"
        "    from ..mail import outbox\n"
        "    return import_string('comptoir.contact_form.views.form')\n"
        '"""A docstring naming comptoir.api is not an import."""\n'
    )
    found = imported_modules(source, "comptoir.threads.services")
    assert [(line, app_of(dotted)) for line, dotted in found] == [
        (1, "orders"),
        (2, "desk_settings"),
        (3, "api"),
        (5, "mail"),
        (6, "contact_form"),
    ]
