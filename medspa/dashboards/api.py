"""GET /api/v1/roi/: the ROI model as JSON, for owners.

Query parameters are the model inputs with shares as fractions (bookable_share=0.48). Any input
left out takes its default from the clinic's own last 30 days (or the planning default), and the
response says where each input came from.
"""

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Location
from ..permissions import IsOwner
from .filters import DashboardFilterForm
from .metrics import roi_defaults
from .roi import RoiInputs, model
from .session import analytics


def _fraction():
    return serializers.DecimalField(
        max_digits=6, decimal_places=4, min_value=0, max_value=1, required=False,
        error_messages={"max_value": "A fraction from 0 to 1 (0.48 means 48%%).",
                        "min_value": "A fraction from 0 to 1 (0.48 means 48%%)."},
    )


def _amount(max_value, decimal_places=2, min_value=0):
    return serializers.DecimalField(
        max_digits=10, decimal_places=decimal_places, min_value=min_value, max_value=max_value, required=False
    )


class RoiQuerySerializer(serializers.Serializer):
    monthly_calls = _amount(1_000_000, 1)
    bookable_share = _fraction()
    lift = _fraction()
    avg_visit_value = _amount(1_000_000)
    show_rate = _fraction()
    consult_share = _fraction()
    consult_close_rate = _fraction()
    repeat_share = _fraction()
    member_value = _amount(1_000_000)
    bookable_hours_left = _amount(100_000, 1)
    avg_visit_minutes = _amount(600, 1, min_value=5)


class RoiApiView(APIView):
    permission_classes = [IsOwner]

    def get(self, request):
        unknown = sorted(set(request.query_params) - set(RoiQuerySerializer().fields) - {"start", "end", "location"})
        if unknown:
            return Response({"detail": f"Unknown parameter(s): {', '.join(unknown)}."}, status=400)
        query = RoiQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        locations = list(Location.objects.visible_to(request.user).order_by("name"))
        form = DashboardFilterForm(request.query_params, locations=locations)
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=400)
        with analytics():
            defaults = roi_defaults(form.to_filter())
        values, sources = {}, {}
        for name in RoiQuerySerializer().fields:
            if name in query.validated_data:
                values[name], sources[name] = query.validated_data[name], "given"
            else:
                values[name], sources[name] = defaults[name].value, defaults[name].source
        result = model(RoiInputs(**values))
        return Response({**result.to_dict(), "sources": sources})
