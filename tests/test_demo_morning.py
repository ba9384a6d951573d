"""The demo clinic looks like a weekday morning: a few fresh items, one fresh safety call on top, callbacks on time."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from medspa.models import Handoff, User
from recall.models import Touch

pytestmark = pytest.mark.django_db


def test_demo_inbox_is_a_few_fresh_items_with_one_fresh_safety_call_on_top(client):
    call_command("seed_demo", "--patients", "400", "--seed", "7", stdout=io.StringIO())
    now = timezone.now()
    open_items = list(Handoff.objects.exclude(status="done").order_by("priority", "due_at"))
    assert 3 <= len(open_items) <= 12
    assert all(now - h.created_at < timedelta(hours=3) for h in open_items)
    assert sum(h.due_at >= now for h in open_items) >= len(open_items) - 1  # mostly on time
    top = open_items[0]
    assert top.route == "safety_escalation" and now - top.created_at < timedelta(minutes=30)
    assert not Handoff.objects.filter(route="safety_escalation", value__gt=0).exists()
    assert set(Touch.objects.values_list("kind", flat=True)) >= {"on_time", "late", "reactivation"}

    client.force_login(User.objects.get(username="owner"))
    page = client.get("/inbox/").content.decode()
    first = page.split('class="queue-item')[1]
    assert "URGENT" in first and "at stake" not in first
    assert "overdue by" not in re.sub(r"\s+", " ", page.split('class="queue-item')[2])
