"""REST API (token or session auth). Every queryset goes through `visible_to(user)`.

Times: stored in UTC, written as ISO 8601 in the location's time zone WITH its offset
(`"starts_at": "2026-12-01T13:25:00-08:00"`), and each patient carries its location's `time_zone`
name, so a client never has to guess which wall clock a time belongs to. `sms_opted_out_at` is an
instant and is written in UTC (`...Z`)."""

from rest_framework import mixins, serializers, viewsets

from .models import Patient, Visit, log_read, log_reads


class VisitSerializer(serializers.ModelSerializer):
    service = serializers.StringRelatedField()
    provider = serializers.StringRelatedField()
    starts_at = serializers.SerializerMethodField(help_text="ISO 8601 in the location's time zone, with offset.")

    def get_starts_at(self, visit) -> str:
        return visit.starts_at.astimezone(visit.location.tz).isoformat()

    class Meta:
        model = Visit
        fields = ["id", "service", "provider", "location", "starts_at", "status", "value"]


class PatientSerializer(serializers.ModelSerializer):
    phone = serializers.CharField()
    time_zone = serializers.CharField(source="location.time_zone", read_only=True)

    class Meta:
        model = Patient
        fields = ["id", "external_id", "first_name", "last_name", "phone", "email", "location", "time_zone",
                  "sms_consent", "sms_opted_out_at"]


class PatientDetailSerializer(PatientSerializer):
    visits = VisitSerializer(many=True, read_only=True)

    class Meta(PatientSerializer.Meta):
        fields = [*PatientSerializer.Meta.fields, "visits"]


class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        qs = Patient.objects.visible_to(self.request.user).select_related("location").search(
            self.request.query_params.get("q", ""))
        if self.action == "retrieve":
            return qs.prefetch_related("visits__service", "visits__provider", "visits__location")
        return qs.order_by("id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        log_reads(request, "patient.api_listed", page.object_list if page is not None else [],
                  q=request.query_params.get("q", ""))
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        log_read(request, "patient.api_viewed", self.get_object())
        return response

    def get_serializer_class(self):
        return PatientDetailSerializer if self.action == "retrieve" else PatientSerializer
