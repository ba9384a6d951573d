from django.urls import path

from . import api, views, voice

app_name = "calls"
urlpatterns = [
    path("calls/", views.call_list, name="list"),
    path("calls/new/", views.intake, name="intake"),
    path("calls/new/preview/", views.intake_preview, name="intake_preview"),
    path("calls/<int:pk>/", views.call_detail, name="detail"),
    path("calls/<int:pk>/patient/", views.call_make_patient, name="make_patient"),
    path("calls/plan/", views.plan, name="plan"),
    path("calls/plan/test/", views.plan_test, name="plan_test"),
    path("calls/plan/<slug:slug>/", views.plan, name="plan_location"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_edit, name="event_new"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("twilio/voice/incoming/", voice.incoming, name="voice_incoming"),
    path("twilio/voice/gather/", voice.gather, name="voice_gather"),
    path("twilio/voice/status/", voice.status, name="voice_status"),
    path("twilio/voice/on-call/", voice.on_call, name="voice_on_call"),
    path("api/v1/calls/", api.create_call, name="api_create"),
    path("api/v1/calls/<int:pk>/", api.call_detail, name="api_detail"),
]
