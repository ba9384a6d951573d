"""Using a bundle session at a visit: one click for a coordinator, safe against double clicks and
two coordinators at once (the Bundle row is locked while its sessions are counted)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from medspa.models import Visit, log_action

from .models import Bundle, BundleRedemption


class BundleError(ValidationError):
    pass


def redeem_session(bundle: Bundle, visit: Visit, by) -> BundleRedemption:
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().select_related("service", "location").get(pk=bundle.pk)
        if visit.patient_id != bundle.patient_id:
            raise BundleError("That visit belongs to another patient.")
        if visit.service_id != bundle.service_id:
            raise BundleError(f"This bundle is for {bundle.service}; the visit was {visit.service}.")
        if visit.status != Visit.Status.COMPLETED:
            raise BundleError("Only a completed visit can use a bundle session.")
        visit_day = bundle.location.local(visit.starts_at).date()
        if visit_day < bundle.purchased_on:
            raise BundleError(f"The visit ({visit_day:%b %-d, %Y}) was before the bundle was bought.")
        if bundle.is_expired(visit_day):
            raise BundleError(f"This bundle expired on {bundle.expires_on:%b %-d, %Y}.")
        used = bundle.redemptions.count()
        if used >= bundle.sessions_purchased:
            raise BundleError(f"All {bundle.sessions_purchased} sessions of this bundle are used.")
        if BundleRedemption.objects.filter(visit=visit).exists():
            raise BundleError("This visit already used a bundle session.")
        try:
            with transaction.atomic():
                redemption = BundleRedemption.objects.create(bundle=bundle, visit=visit, redeemed_by=by)
        except IntegrityError:  # the same visit redeemed on another bundle at the same moment
            raise BundleError("This visit already used a bundle session.") from None
        log_action(by, "bundle.session_used", bundle, location=bundle.location, visit=visit.pk,
                   remaining=bundle.sessions_purchased - used - 1)
    return redemption
