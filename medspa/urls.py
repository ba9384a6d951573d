from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import accounts, api, audit_views, inbox_views, settings_pages, views
from .dashboards.api import RoiApiView

router = DefaultRouter()
router.register("patients", api.PatientViewSet, basename="api-patient")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include(accounts.urlpatterns)),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_views.inbox_item, name="inbox_item"),
    path("inbox/<int:pk>/media/<int:media_pk>/", inbox_views.inbox_media, name="inbox_media"),
    path("inbox/<int:pk>/claim/", inbox_views.inbox_claim, name="inbox_claim"),
    path("inbox/<int:pk>/resolve/", inbox_views.inbox_resolve, name="inbox_resolve"),
    path("patients/", views.patient_list, name="patients"),
    path("patients/new/", views.patient_edit, name="patient_new"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/consent/", views.patient_consent, name="patient_consent"),
    path("patients/<int:pk>/visits/", views.visit_add, name="visit_add"),
    path("settings/audit/", audit_views.audit_trail, name="audit"),
    path("settings/audit/export.csv", audit_views.audit_export, name="audit_export"),
    path("settings/", include((settings_pages.urlpatterns, "settings"))),
    path("", include("calls.urls")),
    path("", include("recall.urls")),
    path("", include("members.urls")),
    path("dashboard/", include("medspa.dashboards.urls")),
    path("api/v1/roi/", RoiApiView.as_view(), name="api-roi"),
    path("api/v1/", include(router.urls)),
    path("admin/", admin.site.urls),
]
