"""The apps' dashboard sections, found by name so the shell imports no feature app.

`settings.DASHBOARD_SECTIONS` lists modules (`calls.metrics`, `members.metrics`, `recall.metrics`), the
way healthchecks finds a channel's transport by its kind. A listed module may define:

- `Metrics` (a class built from a `DashboardFilter`) and `SECTIONS` ({CSV key: Metrics method name}):
  the tables `/dashboard/export/<key>.csv` writes;
- `PAGE` (slug, template) and `page_context(f) -> dict`: a tab of its own at `/dashboard/<slug>/`;
- `overview_context(f) -> dict`: panels the overview page shows;
- `roi_defaults(f, span) -> {input: Sourced}`: ROI inputs it can measure (they replace planning defaults);
- `daily_figures(slices) -> Counter`: additive figures the overview reads through the daily rollup
  (`rollup.py`); the shell's own are in `overview_figures.py`.
"""

from importlib import import_module

from django.conf import settings


def modules() -> list:
    return [import_module(name) for name in settings.DASHBOARD_SECTIONS]


def exports() -> dict[str, tuple[type, str]]:
    """CSV key -> (metrics class, method) for every app section."""
    return {key: (module.Metrics, name)
            for module in modules() if hasattr(module, "SECTIONS") for key, name in module.SECTIONS.items()}


def pages() -> dict[str, object]:
    """Tab slug -> the module that fills it."""
    return {module.PAGE[0]: module for module in modules() if hasattr(module, "PAGE")}


def overview_context(f) -> dict:
    context = {}
    for module in modules():
        if hasattr(module, "overview_context"):
            context.update(module.overview_context(f))
    return context


def roi_defaults(f, span: str) -> dict:
    measured = {}
    for module in modules():
        if hasattr(module, "roi_defaults"):
            measured.update(module.roi_defaults(f, span))
    return measured


def figure_sources() -> list:
    """The apps' `daily_figures` functions."""
    return [module.daily_figures for module in modules() if hasattr(module, "daily_figures")]
