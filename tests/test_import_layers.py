"""The apps' imports point one way (docs/architecture.md): recall -> members -> calls -> medspa.

A module may import its own app and the apps below it, never one above. So `medspa` (the core: clinic
model, inbox, triage, Twilio, the dashboard shell) imports no feature app; `calls` imports only `medspa`;
`members` may import `calls` (a deposit's event) and `medspa`; `recall` may import all three (member
touchpoints go through its outbox). The core reaches the apps by name instead (settings.PATIENT_PANELS,
DASHBOARD_SECTIONS, MEMBER_FIGURES). Every import counts, at module level or inside a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["medspa", "calls", "members", "recall"]  # lowest first


def imported_apps(source: str, module: str) -> set[str]:
    """The project apps a module's source imports (relative imports resolved against `module`)."""
    package = module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = [".".join(base + ([node.module] if node.module else []))]
            else:
                names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYERS)
    return found


def violations(source: str, module: str) -> list[str]:
    app = module.split(".")[0]
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    return [f"{module} imports {other}" for other in sorted(imported_apps(source, module) - allowed)]


def modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path  # a package as pkg.__init__


def function_level_imports(source: str) -> list[str]:
    """Project imports made inside a function: each one hides a cycle or dodges nothing. AppConfig.ready
    connecting signals is Django's own idiom and the one exception."""
    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or func.name == "ready":
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in LAYERS):
                found.append(f"{func.name}: from {'.' * node.level}{node.module or ''}")
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] in LAYERS for a in node.names):
                found.append(f"{func.name}: import {node.names[0].name}")
    return found


def test_app_code_imports_at_module_level():
    found = {module: hits for module, path in modules() if "migrations" not in module
             for hits in [function_level_imports(path.read_text())] if hits}
    assert found == {}


def test_a_function_level_import_is_caught():
    assert function_level_imports("def f():\n    from .tasks import dispatch_touch\n") != []
    assert function_level_imports("class A:\n    def ready(self):\n        from . import signals\n") == []


def test_every_app_imports_only_itself_and_the_apps_below_it():
    found = [v for module, path in modules() for v in violations(path.read_text(), module)]
    assert found == []


@pytest.mark.parametrize(("module", "source"), [
    ("medspa.views", "from recall.patient_panel import patient_recall_context"),
    ("medspa.dashboards.views", "def f():\n    from members import metrics\n"),
    ("medspa.dashboards.views", "from ...recall import metrics"),
    ("calls.voice", "import members.balances"),
    ("calls.intake", "from members.figures import member_context"),
    ("members.views", "from recall.models import Touch"),
])
def test_an_import_up_the_layers_is_caught(module, source):
    assert violations(source, module) != []


@pytest.mark.parametrize(("module", "source"), [
    ("recall.member_touches", "from members import touchpoints"),
    ("members.forms", "from calls.models import Event"),
    ("calls.metrics", "from medspa.dashboards.tables import Table"),
    ("medspa.dashboards.views", "from .tables import panel"),
])
def test_an_import_down_the_layers_is_allowed(module, source):
    assert violations(source, module) == []
