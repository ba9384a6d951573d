from django.urls import path

from .views import calls, dev_phone, patient_link, settings, staff, unsubscribe, webhooks

app_name = "recall"
urlpatterns = [
    path("recall/", staff.dashboard, name="dashboard"),
    path("recall/import/", staff.import_page, name="import"),
    path("recall/calls/", calls.call_list_page, name="call_list"),
    path("recall/calls/<int:pk>/outcome/", calls.call_outcome, name="call_outcome"),
    path("settings/recall/", settings.rules, name="settings"),
    path("settings/recall/<int:service_pk>/", settings.rule_edit, name="rule_edit"),
    path("settings/wording/<int:pk>/", settings.wording_edit, name="wording_edit"),
    path("recall/import/<int:pk>/", staff.import_job, name="import_job"),
    path("recall/import/<int:pk>/retry/", staff.import_retry, name="import_retry"),
    path("r/<str:token>/", patient_link.patient_link, name="link"),
    path("e/unsubscribe/<str:token>/", unsubscribe.email_unsubscribe, name="email_unsubscribe"),
    path("dev/phone/", dev_phone.phone_list, name="dev_phone_list"),
    path("dev/phone/<int:pk>/", dev_phone.phone, name="dev_phone"),
    path("twilio/sms/status/", webhooks.sms_status, name="twilio_status"),
    path("twilio/sms/inbound/", webhooks.sms_inbound, name="twilio_inbound"),
]
