"""An owner explores the ROI model and the dashboards in Chromium (desktop and phone)."""

import time
from pathlib import Path

import pytest
from dashboard_dataset import RANGE, build, build_calls, build_members, build_recall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll with page.evaluate: wait_for_function's in-page polling compiles the predicate with eval, which
    the app's Content-Security-Policy (script-src 'self', no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def test_changing_the_lift_updates_the_value_without_a_reload(login, olivia, live_server):
    page = login(olivia)
    page.goto(live_server.url + "/dashboard/roi/?monthly_calls=520&bookable_share=48&lift=25&avg_visit_value=527")
    assert page.inner_text("#modeled-value") == "$32,885"
    wait_until(page, "window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate("window.__stillHere = true")

    page.fill("#id_lift", "50")
    wait_until(page, "document.querySelector('#modeled-value').textContent === '$65,770'")

    assert navigations == []
    assert page.evaluate("window.__stillHere") is True
    assert "lift=25" in page.url  # the address never changed
    # The chart under the result was drawn again after the swap.
    wait_until(page, "Chart.getChart(document.querySelector('#roi-results canvas[data-chart]'))")

    page.fill("#id_lift", "250")
    page.wait_for_selector("text=Enter a percentage from 0 to 100.")
    assert navigations == []


def test_screenshots_of_every_dashboard_page(login, olivia, westside, downtown, live_server, page):
    build(westside, downtown)
    build_calls(westside, downtown)
    build_members(westside, downtown)
    build_recall(westside, downtown)
    login(olivia)
    query = f"?start={RANGE['start']}&end={RANGE['end']}"
    pages = {"overview": "/dashboard/" + query, "roi": "/dashboard/roi/" + query,
             "members": "/dashboard/members/" + query, "recall": "/dashboard/recall/" + query}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in pages.items():
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.goto(live_server.url + path)
            wait_until(page, "window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
                                   ".every(c => Chart.getChart(c))")
            target = SHOTS / f"dashboard-{name}-{size}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.exists() and target.stat().st_size > 10_000
    overview = page.goto(live_server.url + pages["overview"])
    assert overview.status == 200
    assert page.locator("[data-metric=consults_booked] .value").inner_text() == "3"
    assert page.locator("[data-metric=calls] .value").inner_text() == "8"  # both locations
    assert page.locator("table.heat tbody tr").count() == 7
    page.set_viewport_size(SIZES["desktop"])
    page.locator("#calls-heat").screenshot(path=str(SHOTS / "dashboard-calls-heat-strip.png"))
    cell = page.locator("table.heat td[title='Tuesday 8 pm: 1 calls']")
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") != "rgba(0, 0, 0, 0)"

    # Recall: the funnel's numbers are one click away (both locations: Downtown's D1 came back too).
    page.goto(live_server.url + pages["recall"])
    funnel = page.locator("#recall-funnel")
    assert not funnel.locator("table").is_visible()
    funnel.locator("summary").click()
    assert funnel.locator("tbody tr").last.locator("td").nth(1).inner_text() == "5"
    page.locator("#recall-by-service").screenshot(path=str(SHOTS / "dashboard-recall-revenue-by-service.png"))
