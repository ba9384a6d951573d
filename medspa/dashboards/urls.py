from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("roi/", views.roi, name="roi"),
    path("members/", views.members, name="members"),
    path("recall/", views.recall, name="recall"),
    path("export/<slug:section>.csv", views.export, name="export"),
]
