"""Owners' settings for recall: each service's rule (timing and texts) and the member touchpoint wording.

Rules and wording are shared by every location, so only an owner of all locations changes them;
other owners read them.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from medspa.models import Service, log_action
from medspa.permissions import owner_required, owns_every_location, shared_owner_required

from ..models import MemberTouchTemplate, RecallRule


class RuleForm(forms.ModelForm):
    class Meta:
        model = RecallRule
        fields = ["is_active", "channel", "interval_days", "window_opens_days", "late_after_days", "lapsed_after_days",
                  "stop_after_lapsed_days", "max_touches", "min_days_between", "on_time_template", "late_template",
                  "reactivation_template"]
        widgets = {f"{k}_template": forms.Textarea(attrs={"rows": 3}) for k in ("on_time", "late", "reactivation")}


class MemberWordingForm(forms.ModelForm):
    class Meta:
        model = MemberTouchTemplate
        fields = ["is_active", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


@owner_required
def rules(request):
    services = Service.objects.select_related("recall_rule")
    return render(request, "settings/recall_rules.html", {
        "services": services, "templates": MemberTouchTemplate.objects.all(),
        "owns_all": owns_every_location(request.user)})


@shared_owner_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, service_pk):
    service = get_object_or_404(Service, pk=service_pk)
    rule = RecallRule.objects.filter(service=service).first() or RecallRule.defaults_for(service)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        log_action(request.user, "recall.rule_saved", saved, fields=form.changed_data)
        messages.success(request, f"Saved the recall rule for {service}.")
        return redirect("recall:settings")
    return render(request, "settings/form.html", {
        "form": form, "title": f"Recall for {service}", "back": "recall:settings",
        "note": "Texts may use only {first_name}, {clinic} and {link}, and never name a treatment."},
        status=400 if form.errors else 200)


@shared_owner_required
@require_http_methods(["GET", "POST"])
def wording_edit(request, pk):
    template = get_object_or_404(MemberTouchTemplate, pk=pk)
    form = MemberWordingForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        log_action(request.user, "recall.member_wording_saved", saved, fields=form.changed_data)
        messages.success(request, f"Saved the {saved.get_kind_display().lower()} text.")
        return redirect("recall:settings")
    return render(request, "settings/form.html", {
        "form": form, "title": template.get_kind_display(), "back": "recall:settings",
        "note": "Only {first_name}, {clinic} and {link}; never a treatment name, balance or price."},
        status=400 if form.errors else 200)
