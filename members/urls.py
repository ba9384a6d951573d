from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("members/", views.member_list, name="list"),
    path("members/<int:pk>/", views.member_detail, name="detail"),
    path("members/<int:pk>/adjust/", views.member_adjust, name="adjust"),
    path("members/<int:pk>/redeem/", views.member_redeem, name="redeem"),
    path("members/<int:pk>/<slug:action>/", views.member_action, name="action"),
    path("members/plans/", views.plan_list, name="plans"),
    path("members/plans/new/", views.plan_edit, name="plan_new"),
    path("members/plans/<int:pk>/", views.plan_edit, name="plan_edit"),
    path("patients/<int:patient_pk>/membership/", views.membership_start, name="start"),
    path("patients/<int:patient_pk>/bundles/", views.bundle_add, name="bundle_add"),
    path("patients/<int:patient_pk>/deposits/", views.deposit_add, name="deposit_add"),
    path("bundles/<int:pk>/visits/<int:visit_pk>/redeem/", views.bundle_redeem, name="bundle_redeem"),
    path("deposits/<int:pk>/<slug:action>/", views.deposit_action, name="deposit_action"),
]
