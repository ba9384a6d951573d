from django.urls import path

from . import sections, views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("roi/", views.roi, name="roi"),
    # The apps' tabs (members/, recall/), one URL name each: dashboards:members, dashboards:recall.
    *[path(f"{slug}/", views.page, {"slug": slug}, name=slug) for slug in sections.pages()],
    path("export/<slug:section>.csv", views.export, name="export"),
]
