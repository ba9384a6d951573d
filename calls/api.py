"""Intake API for external voice agents: `POST /api/v1/calls/` and `GET /api/v1/calls/<id>/`.

Token auth. Posting needs a coordinator, owner or voice agent account (`create_voice_agent`: API only,
one location); reading also allows providers. Everyone posts and reads only for their own locations.
Idempotent on the agent's call id. The server re-runs triage over the caller's words; the agent's own
route is informational, except that an agent-flagged safety escalation is always kept (never downgraded).
"""

from django.db import IntegrityError
from django.db.models import Q
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from medspa.models import Location, log_read
from medspa.models.clinic import Role
from medspa.permissions import STAFF_ROLES, has_role
from medspa.phones import normalize_phone
from medspa.routes import Route

from . import intake
from .models import Call, CallTurn


class CanRecordCalls(BasePermission):
    message = "Only coordinator, owner or voice agent accounts may record calls."

    def has_permission(self, request, view):
        return has_role(request.user, Role.COORDINATOR, Role.OWNER, Role.VOICE_AGENT)


class TurnSerializer(serializers.Serializer):
    speaker = serializers.ChoiceField(choices=[CallTurn.Speaker.CALLER, CallTurn.Speaker.AGENT])
    text = serializers.CharField(max_length=4000, trim_whitespace=True)
    at = serializers.DateTimeField(required=False)


class CallInSerializer(serializers.Serializer):
    agent_call_id = serializers.CharField(max_length=64)
    location = serializers.CharField(max_length=120, help_text="Location id or slug.")
    from_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    caller_name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    turns = TurnSerializer(many=True)
    fields = serializers.DictField(required=False, default=dict)
    route = serializers.ChoiceField(choices=Route.choices, required=False, allow_blank=True)

    def validate_location(self, value):
        user = self.context["request"].user
        lookup = Q(slug=value) | (Q(pk=int(value)) if value.isdigit() else Q(pk__in=[]))
        location = Location.objects.visible_to(user).filter(lookup).first()
        if location is None:
            raise serializers.ValidationError(f"No location “{value}” among the locations this account serves.")
        return location

    def validate_from_number(self, value):
        if not value:
            return ""
        phone = normalize_phone(value)
        if phone is None:
            raise serializers.ValidationError("Not a valid phone number; send E.164 such as +14155550134.")
        return phone

    def validate_turns(self, value):
        if not any(t["speaker"] == CallTurn.Speaker.CALLER for t in value):
            raise serializers.ValidationError("At least one caller turn is required.")
        return value

    def validate(self, attrs):
        if attrs.get("ended_at") and attrs["ended_at"] < attrs["started_at"]:
            raise serializers.ValidationError({"ended_at": "ended_at is before started_at."})
        return attrs


def call_json(call: Call) -> dict:
    return {
        "id": call.pk,
        "agent_call_id": call.external_id if call.channel == Call.Channel.VOICE_AGENT else None,
        "channel": call.channel,
        "location": call.location.slug,
        "status": call.status,
        "route": call.route,
        "reasons": call.reasons,
        "after_hours": call.after_hours,
        "event": {"id": call.event_id, "name": call.event.name} if call.event_id else None,
        "patient_id": call.patient_id,
        "handoff_id": call.handoff_id,
        "plan_version": call.plan_version.number if call.plan_version_id else None,
        "next_action": call.next_action,
        "completeness": call.completeness,
        "summary": call.summary,
    }


def agent_call_json(call: Call) -> dict:
    """What a voice agent gets back: receipt of its own call, nothing learned from the clinic's records
    (no patient or member match, no summary: those could tell whether a number belongs to a patient)."""
    return {"id": call.pk, "agent_call_id": call.external_id, "channel": call.channel,
            "location": call.location.slug, "status": call.status}


def _json_for(user, call: Call) -> dict:
    return agent_call_json(call) if user.role == Role.VOICE_AGENT and not user.is_superuser else call_json(call)


def _existing(agent_call_id: str):
    return (Call.objects.select_related("location", "event", "plan_version")
            .filter(channel=Call.Channel.VOICE_AGENT, external_id=agent_call_id).first())


def _replay(request, call: Call) -> Response:
    user = request.user
    others = call.location_id not in user.location_ids() or (
        user.role == Role.VOICE_AGENT and call.created_by_id != user.pk)
    if others and not user.is_superuser:
        return Response({"agent_call_id": ["This agent call id was already used by another account."]},
                        status=status.HTTP_409_CONFLICT)
    return Response(_json_for(user, call), status=status.HTTP_200_OK)


@api_view(["POST"])
@permission_classes([CanRecordCalls])
def create_call(request):
    agent_call_id = str(request.data.get("agent_call_id", "")).strip() if hasattr(request.data, "get") else ""
    if agent_call_id:
        existing = _existing(agent_call_id)
        if existing:
            return _replay(request, existing)
    serializer = CallInSerializer(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    try:
        call = intake.record_call(
            location=data["location"], channel=Call.Channel.VOICE_AGENT, external_id=data["agent_call_id"],
            turns=[{"speaker": t["speaker"], "text": t["text"], "at": t.get("at")} for t in data["turns"]],
            from_number=data.get("from_number", ""), caller_name=data.get("caller_name", ""),
            email=data.get("email", ""), started_at=data["started_at"], ended_at=data.get("ended_at"),
            direct_fields=data.get("fields") or {},
            flagged_safety=data.get("route") == Route.SAFETY_ESCALATION, created_by=request.user,
        )
    except IntegrityError:  # the same agent call posted twice at once: the first one won
        return _replay(request, _existing(data["agent_call_id"]))
    if data.get("route") and data["route"] != call.route:
        call.fields = {**call.fields, "agent_route": data["route"]}
        call.save(update_fields=["fields"])
    return Response(_json_for(request.user, call), status=status.HTTP_201_CREATED)


class CanReadCalls(BasePermission):
    def has_permission(self, request, view):
        return has_role(request.user, *STAFF_ROLES, Role.VOICE_AGENT)


@api_view(["GET"])
@permission_classes([CanReadCalls])
def call_detail(request, pk: int):
    calls = Call.objects.visible_to(request.user).select_related("location", "event", "plan_version", "patient")
    if request.user.role == Role.VOICE_AGENT and not request.user.is_superuser:
        calls = calls.filter(created_by=request.user)  # an agent reads only the calls it posted
    call = calls.filter(pk=pk).first()
    if call is None:
        raise NotFound("No such call.")
    if request.user.role != Role.VOICE_AGENT:
        log_read(request, "call.api_viewed", call, patient=call.patient)
    return Response(_json_for(request.user, call))
