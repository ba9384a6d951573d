"""The inbox queue at any size: keyset pages, capped counts, and a query count that does not grow."""

import html
import re
from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from medspa.models import Handoff

pytestmark = pytest.mark.django_db

def make(location, route, title, status="open", **kw):
    item = Handoff.objects.create(location=location, route=route, source="call", title=title, **kw)
    if status == "done":
        Handoff.objects.filter(pk=item.pk).update(status="done", resolved_at=timezone.now(), outcome="other",
                                                  resolution_note="done")
    return item


def many(location, n, route="booking", status="open", prefix="Item"):
    return [make(location, route, f"{prefix} {i}", status=status, value=(i % 3) * 100) for i in range(n)]


def queue_ids(content: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-handoff="(\d+)"', content)]


def next_link(content: str) -> str | None:
    found = re.search(r'<a href="([^"]+)">Next →</a>', content)
    return html.unescape(found.group(1)) if found else None


def walk(client, url) -> tuple[list[list[int]], str]:
    pages, content = [], ""
    while url:
        content = client.get(url).content.decode()
        pages.append(queue_ids(content))
        url = next_link(content)
        url = reverse("inbox") + url if url and url.startswith("?") else url
    return pages, content


def expected_order(location) -> list[int]:
    items = Handoff.objects.filter(location=location).exclude(status="done")
    return [h.pk for h in sorted(items, key=lambda h: (h.priority, h.due_at, -h.value, h.created_at, h.pk))]


def test_pages_walk_the_whole_queue_in_order_without_gaps_or_repeats(alice_client, westside, downtown):
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=westside.tz), tick=False):
        many(westside, 70)  # same minute, same deadline: value, then arrival (id) decide
        make(westside, "safety_escalation", "Swelling after filler")
        many(westside, 4, route="staff_review", prefix="Review")
        many(westside, 10, status="done", prefix="Old")
        many(downtown, 5, prefix="Downtown")
    pages, last = walk(alice_client, reverse("inbox"))
    assert [len(p) for p in pages] == [30, 30, 15]
    assert [pk for page in pages for pk in page] == expected_order(westside)
    assert "← Top of the queue" in last and "Next →" not in last


def test_an_item_resolved_meanwhile_does_not_shift_the_next_page(alice_client, alice, westside):
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=westside.tz), tick=False):
        many(westside, 45)
    order = expected_order(westside)
    first = alice_client.get(reverse("inbox")).content.decode()
    assert queue_ids(first) == order[:30]
    Handoff.objects.get(pk=order[3]).resolve(alice, "other", "called back")
    second = alice_client.get(reverse("inbox") + next_link(first)).content.decode()
    assert queue_ids(second) == order[30:]  # an offset would have skipped order[30]


def test_a_cursor_that_is_not_ours_shows_the_top_of_the_queue(alice_client, westside):
    many(westside, 3)
    response = alice_client.get(reverse("inbox"), {"after": "1~not-a-date~x"})
    assert response.status_code == 200 and queue_ids(response.content.decode()) == expected_order(westside)


def test_route_counts_cover_open_items_only_and_stop_at_100(alice_client, westside, downtown):
    many(westside, 101, prefix="Booking")
    many(westside, 30, status="done", prefix="Old booking")
    many(westside, 4, route="rebooking")
    many(westside, 50, route="rebooking", status="done")
    for i in range(2):
        make(westside, "safety_escalation", f"Rash after laser {i}")
    many(downtown, 7, route="member_support")
    content = alice_client.get(reverse("inbox")).content.decode()
    chips = dict(re.findall(r'class="chip route-(\w+)"[^>]*>[^<]*<strong>([^<]+)</strong>', content))
    assert chips == {"booking": "100+", "rebooking": "4", "safety_escalation": "2"}
    assert "2 open safety escalations" in content


def test_the_count_of_queries_does_not_grow_with_the_queue(alice_client, westside):
    def queries(query="", **headers):
        with CaptureQueriesContext(connection) as captured:
            response = alice_client.get(reverse("inbox") + query, **headers)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    many(westside, 3)
    small, _ = queries()
    small_htmx, _ = queries(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-queue")
    many(westside, 150, prefix="More")
    many(westside, 200, status="done", prefix="Old")
    make(westside, "safety_escalation", "Burning after peel")
    large, content = queries()
    large_htmx, _ = queries(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-queue")
    deep, _ = queries(next_link(content))
    assert small == large == deep
    assert small_htmx == large_htmx
