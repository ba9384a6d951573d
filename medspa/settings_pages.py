"""Owners' settings pages: locations (hours, numbers), the service catalog and providers.

Each page is scoped: an owner edits only their own locations, providers working only at their
locations, and shared records (the catalog) only when they own every location. The Django admin is
for superusers.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from .models import Location, Provider, Service, log_action
from .permissions import owner_required, owns_every_location, owns_locations, shared_owner_required
from .settings_forms import LocationSettingsForm, ProviderForm, ServiceForm


def _save(request, form, action: str, *, location=None):
    obj = form.save()
    log_action(request.user, action, obj, location=location, fields=form.changed_data)
    messages.success(request, f"Saved {obj}.")
    return obj


@owner_required
def index(request):
    return render(request, "settings/index.html", {
        "locations": Location.objects.visible_to(request.user),
        "owns_all": owns_every_location(request.user),
    })


@owner_required
@require_http_methods(["GET", "POST"])
def location_edit(request, pk):
    location = get_object_or_404(Location.objects.visible_to(request.user), pk=pk)
    form = LocationSettingsForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        _save(request, form, "location.changed", location=location)
        return redirect("settings:index")
    return render(request, "settings/location_form.html", {"form": form, "location": location},
                  status=400 if form.errors else 200)


@owner_required
def service_list(request):
    return render(request, "settings/services.html", {
        "services": Service.objects.all(), "owns_all": owns_every_location(request.user)})


@shared_owner_required
@require_http_methods(["GET", "POST"])
def service_edit(request, pk=None):
    service = get_object_or_404(Service, pk=pk) if pk else None
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        _save(request, form, "service.created" if service is None else "service.changed")
        return redirect("settings:services")
    return render(request, "settings/form.html", {
        "form": form, "title": f"Edit {service}" if service else "New service",
        "back": "settings:services", "note": "The catalog is shared by every location."},
        status=400 if form.errors else 200)


def _providers_for(user):
    providers = Provider.objects.prefetch_related("locations").select_related("user")
    if user.is_superuser:
        return providers
    return providers.filter(locations__in=user.location_ids()).distinct()


@owner_required
def provider_list(request):
    rows = [(p, owns_locations(request.user, [loc.pk for loc in p.locations.all()]))
            for p in _providers_for(request.user)]
    return render(request, "settings/providers.html", {"rows": rows})


@owner_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk=None):
    provider = get_object_or_404(_providers_for(request.user), pk=pk) if pk else None
    if provider is not None and not owns_locations(request.user, provider.locations.values_list("pk", flat=True)):
        raise PermissionDenied("This provider also works at a location you do not own.")
    form = ProviderForm(request.POST or None, instance=provider, user=request.user)
    if request.method == "POST" and form.is_valid():
        _save(request, form, "provider.created" if provider is None else "provider.changed")
        return redirect("settings:providers")
    return render(request, "settings/form.html", {
        "form": form, "title": f"Edit {provider}" if provider else "New provider", "back": "settings:providers"},
        status=400 if form.errors else 200)


app_name = "settings"
urlpatterns = [
    path("", index, name="index"),
    path("locations/<int:pk>/", location_edit, name="location"),
    path("services/", service_list, name="services"),
    path("services/new/", service_edit, name="service_new"),
    path("services/<int:pk>/", service_edit, name="service"),
    path("providers/", provider_list, name="providers"),
    path("providers/new/", provider_edit, name="provider_new"),
    path("providers/<int:pk>/", provider_edit, name="provider"),
]
