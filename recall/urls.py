from django.urls import path

from .views import calls, patient_link, settings, staff, unsubscribe, webhooks

app_name = "recall"
urlpatterns = [
    path("recall/", staff.dashboard, name="dashboard"),
    path("recall/import/", staff.import_page, name="import"),
    path("recall/calls/", calls.call_list_page, name="call_list"),
    path("recall/calls/<int:pk>/outcome/", calls.call_outcome, name="call_outcome"),
    path("settings/recall/", settings.rules, name="settings"),
    path("settings/recall/<int:service_pk>/", settings.rule_edit, name="rule_edit"),
    path("settings/wording/<int:pk>/", settings.wording_edit, name="wording_edit"),
    path("r/<str:token>/", patient_link.patient_link, name="link"),
    path("e/unsubscribe/<str:token>/", unsubscribe.email_unsubscribe, name="email_unsubscribe"),
    path("twilio/sms/status/", webhooks.sms_status, name="twilio_status"),
    path("twilio/sms/inbound/", webhooks.sms_inbound, name="twilio_inbound"),
]
