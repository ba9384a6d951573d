"""Members metrics: who is a member now, what the clinic owes in unused credits and bundle sessions.

Three grouped queries (memberships by plan, ledger by plan, bundles by service), as of today; the
date range does not apply except that "renewals this month" is the current calendar month in the
filter's time zone.

- credits liability: the balance (sum of the append-only ledger) of every membership that has not
  ended; dollar credits at face value, unit credits at what the member pays per unit (the plan's
  monthly fee / units granted a month: 20 neurotoxin units for $149 are $7.45 each, not a $450 visit);
- bundle liability: for bundles not yet expired, remaining sessions x price paid / sessions purchased;
- renewals this month: cycles granted this month after a membership's first (renewed so far), and
  memberships whose next renewal falls later this month and will be charged (still due).
"""

from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, DecimalField, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from medspa.dashboards import charts
from medspa.dashboards.filters import DashboardFilter
from medspa.dashboards.tables import Table, money, panel

from .models import Bundle, BundleRedemption, CreditLedgerEntry, Membership, MembershipPlan

S = Membership.Status
MONEY = DecimalField(max_digits=14, decimal_places=2)


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


class MemberMetrics:
    def __init__(self, f: DashboardFilter, today: date | None = None):
        self.f = f
        self.today = today or timezone.now().astimezone(f.tz).date()
        self.month_start, self.month_end = month_bounds(self.today)

    @cached_property
    def plan_rows(self) -> list[dict]:
        charged = Q(cancellation_effective_on__isnull=True) | Q(cancellation_effective_on__gt=F("next_renewal_on"))
        return list(
            Membership.objects.filter(location_id__in=self.f.location_ids)
            .values("plan_id", "plan__name")
            .annotate(
                active=Count("id", filter=Q(status=S.ACTIVE)),
                past_due=Count("id", filter=Q(status=S.PAST_DUE)),
                frozen=Count("id", filter=Q(status=S.FROZEN)),
                cancelling=Count("id", filter=Q(status=S.CANCELLED)),
                renewals_due=Count("id", filter=Q(status__in=[S.ACTIVE, S.CANCELLED], next_renewal_on__gt=self.today,
                                                  next_renewal_on__lt=self.month_end) & charged),
            )
            .order_by("plan__name")
        )

    @cached_property
    def ledger_rows(self) -> dict[int, dict]:
        live = ~Q(membership__status=S.ENDED)
        unit_value = ExpressionWrapper(F("amount") * F("membership__plan__monthly_fee")
                                       / NullIf(F("membership__plan__credits_per_cycle"), Value(0)),
                                       output_field=MONEY)
        rows = (
            CreditLedgerEntry.objects.filter(membership__location_id__in=self.f.location_ids)
            .values("membership__plan_id")
            .annotate(
                dollars=Sum("amount", filter=live & Q(membership__plan__credit_kind=MembershipPlan.CreditKind.MONEY)),
                unit_value=Sum(unit_value, filter=live & Q(
                    membership__plan__credit_kind=MembershipPlan.CreditKind.SERVICE_UNITS)),
                renewed=Count("membership", distinct=True, filter=Q(
                    kind=CreditLedgerEntry.Kind.ACCRUAL, cycle__gte=self.month_start, cycle__lte=self.today,
                    cycle__gt=F("membership__started_on"))),
            )
            .order_by()
        )
        return {row["membership__plan_id"]: row for row in rows}

    @cached_property
    def bundle_rows(self) -> list[dict]:
        used = (BundleRedemption.objects.filter(bundle=OuterRef("pk")).order_by().values("bundle")
                .annotate(n=Count("id")).values("n"))
        left = ExpressionWrapper(F("sessions_purchased") - Coalesce(Subquery(used, output_field=IntegerField()),
                                                                    Value(0)), output_field=IntegerField())
        unexpired = Q(expires_on__isnull=True) | Q(expires_on__gte=self.today)
        return list(
            Bundle.objects.filter(location_id__in=self.f.location_ids).filter(unexpired)
            .annotate(left=left)
            .filter(left__gt=0)
            .values("service__name")
            .annotate(
                bundles=Count("id"),
                sessions_left=Sum("left"),
                liability=Sum(ExpressionWrapper(F("left") * F("price_paid") / F("sessions_purchased"),
                                                output_field=MONEY)),
            )
            .order_by("-liability", "service__name")
        )

    # --- sections ---------------------------------------------------------------------------

    def _plan_table_rows(self) -> list[dict]:
        rows = []
        for row in self.plan_rows:
            ledger = self.ledger_rows.get(row["plan_id"], {})
            credits = money((ledger.get("dollars") or 0) + (ledger.get("unit_value") or 0))
            rows.append({"plan": row["plan__name"], "active": row["active"], "past_due": row["past_due"],
                         "frozen": row["frozen"], "cancelling": row["cancelling"],
                         "renewed": ledger.get("renewed", 0), "renewals_due": row["renewals_due"],
                         "credits_liability": credits})
        return rows

    def members_summary(self) -> Table:
        plans = self._plan_table_rows()
        total = {key: sum(row[key] for row in plans) for key in
                 ("active", "past_due", "frozen", "cancelling", "renewed", "renewals_due")}
        credits = money(sum((row["credits_liability"] for row in plans), Decimal(0)))
        bundles = money(sum((row["liability"] or 0 for row in self.bundle_rows), Decimal(0)))
        rows = [
            ("active", "Active members", total["active"], "Memberships in good standing today.", None),
            ("past_due", "Past due", total["past_due"], "Memberships whose last payment failed.", None),
            ("frozen", "Frozen", total["frozen"], "Memberships paused today.", None),
            ("cancelling", "Cancelling", total["cancelling"], "Cancellation requested; benefits run to the end date.",
             None),
            ("credits_liability", "Credits liability", credits,
             "Unused credit value of every membership not ended: dollar credits at face value, unit credits at "
             "what the member pays per unit (monthly fee / units a month).", "money"),
            ("bundle_liability", "Bundle liability", bundles,
             "Unexpired bundles: remaining sessions x price paid / sessions purchased.", "money"),
            ("renewed", "Renewed this month", total["renewed"],
             f"Memberships that started a new paid cycle from {self.month_start:%b %-d} to today.", None),
            ("renewals_due", "Renewals still due this month", total["renewals_due"],
             f"Memberships that renew after today and before {self.month_end:%b %-d} and will be charged.", None),
        ]
        return Table(
            "members", "Members",
            [("metric", "Metric"), ("value", "Value"), ("definition", "Definition")],
            [{"key": key, "metric": label, "value": value, "definition": text, "value_format": fmt}
             for key, label, value, text, fmt in rows],
            notes=[f"As of {self.today:%b %-d, %Y}; the date range does not apply to these figures."],
        )

    def members_by_plan(self) -> Table:
        return Table(
            "members-by-plan", "Members by plan",
            [("plan", "Plan"), ("active", "Active"), ("past_due", "Past due"), ("frozen", "Frozen"),
             ("cancelling", "Cancelling"), ("renewed", "Renewed this month"), ("renewals_due", "Still due"),
             ("credits_liability", "Credits liability")],
            self._plan_table_rows(), formats={"credits_liability": "money"},
        )

    def bundle_liability(self) -> Table:
        rows = [{"service": row["service__name"], "bundles": row["bundles"], "sessions_left": row["sessions_left"],
                 "liability": money(row["liability"])} for row in self.bundle_rows]
        return Table(
            "bundle-liability", "Bundle liability by service",
            [("service", "Service"), ("bundles", "Open bundles"), ("sessions_left", "Sessions left"),
             ("liability", "Liability")], rows, formats={"liability": "money"},
        )


MEMBER_SECTIONS = {"members": "members_summary", "members-by-plan": "members_by_plan",
                   "bundle-liability": "bundle_liability"}


# --- what the dashboard shell finds here (settings.DASHBOARD_SECTIONS, medspa/dashboards/sections.py) ---

Metrics = MemberMetrics
SECTIONS = MEMBER_SECTIONS
PAGE = ("members", "dashboards/members.html")


def page_context(f: DashboardFilter) -> dict:
    m = MemberMetrics(f)
    summary, plans, bundles = m.members_summary(), m.members_by_plan(), m.bundle_liability()
    return {
        "summary": summary,
        "plans_panel": panel(plans, charts.bar(plans, "plan", [("active", "Active"), ("past_due", "Past due"),
                                                                ("frozen", "Frozen"), ("cancelling", "Cancelling")])
                             if plans.rows else None, f),
        "bundles_panel": panel(bundles, charts.bar(bundles, "service", [("liability", "Liability ($)")], money=True,
                                                   horizontal=True) if bundles.rows else None, f),
    }
