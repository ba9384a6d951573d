"""REST API (token or session auth). Every queryset goes through `visible_to(user)`."""

from rest_framework import mixins, serializers, viewsets

from .models import Patient, Visit, log_read, log_reads


class VisitSerializer(serializers.ModelSerializer):
    service = serializers.StringRelatedField()
    provider = serializers.StringRelatedField()

    class Meta:
        model = Visit
        fields = ["id", "service", "provider", "location", "starts_at", "status", "value"]


class PatientSerializer(serializers.ModelSerializer):
    phone = serializers.CharField()

    class Meta:
        model = Patient
        fields = ["id", "external_id", "first_name", "last_name", "phone", "email", "location",
                  "sms_consent", "sms_opted_out_at"]


class PatientDetailSerializer(PatientSerializer):
    visits = VisitSerializer(many=True, read_only=True)

    class Meta(PatientSerializer.Meta):
        fields = [*PatientSerializer.Meta.fields, "visits"]


class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        qs = Patient.objects.visible_to(self.request.user).search(self.request.query_params.get("q", ""))
        if self.action == "retrieve":
            return qs.prefetch_related("visits__service", "visits__provider")
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
