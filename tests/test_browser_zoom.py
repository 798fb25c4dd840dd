"""A real browser: a zoom done on a chart survives the chart's refreshes while training runs.

Streamlit 1.67 remounts a Plotly chart whenever its figure changes (the element id hashes the
figure), so ``uirevision`` alone cannot keep a zoom; the page's zoom keeper
(:data:`lab_ui.chart_base.ZOOM_KEEPER_JS`) re-applies it. Skips cleanly without Playwright or Chromium.
"""

from __future__ import annotations

import time

from browser_support import browser, pytestmark, server, sync_api  # noqa: F401 (fixtures, marks, playwright)

WAIT_MS = 180_000
CHART = ".st-key-cmp_chart_scores .js-plotly-plot"


def _mark_current(page) -> None:
    page.evaluate(f"() => {{ const gd = document.querySelector('{CHART}'); gd.__nslSeen = true; }}")


def _wait_for_refresh(page) -> None:
    """Wait until the score chart was remounted (a graph div this test has not seen yet) and drawn."""
    page.wait_for_function(
        f"""() => {{ const gd = document.querySelector('{CHART}');
                return gd && !gd.__nslSeen && gd._fullLayout; }}""",
        timeout=WAIT_MS,
    )
    time.sleep(0.8)  # the keeper re-applies the zoom within a scan (250 ms) and one relayout


def test_zoom_reset_while_playing_regression(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/compare?epochs=200")
    page.wait_for_selector(".st-key-cmp_play button", timeout=WAIT_MS)
    page.wait_for_function(f"() => {{ const gd = document.querySelector('{CHART}'); return gd && gd._fullLayout; }}")
    page.locator(".st-key-cmp_play button").first.click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.st-key-cmp_counter .ns-counter')).some(e => +e.dataset.epoch >= 1)",
        timeout=WAIT_MS,
    )
    _wait_for_refresh(page)  # a chart drawn from a trained epoch
    zoom = page.evaluate(
        f"""async () => {{ const gd = document.querySelector('{CHART}');
                const [a, b] = gd.layout.xaxis.range; const w = b - a;
                const range = [a + 0.25 * w, a + 0.5 * w];
                await window.Plotly.relayout(gd, {{'xaxis.range': range}});
                gd.__nslSeen = true;
                return range; }}"""
    )
    for _ in range(3):  # three remounts while playing
        _wait_for_refresh(page)
        _mark_current(page)
    assert page.locator('.st-key-cmp_counter .ns-status[data-status="playing"]').count() >= 1
    # the keeper re-applies the zoom after each remount (a 250 ms scan, then a relayout): under load
    # that can take longer than the fixed pause above, so wait for it, boundedly
    try:
        page.wait_for_function(
            f"""(z) => {{ const r = document.querySelector('{CHART}').layout.xaxis.range;
                    return r && Math.abs(r[0] - z[0]) < 1e-6 && Math.abs(r[1] - z[1]) < 1e-6; }}""",
            arg=zoom,
            timeout=15_000,
        )
    except sync_api.TimeoutError:
        pass
    after = page.evaluate(f"() => document.querySelector('{CHART}').layout.xaxis.range")
    assert after == sync_api_approx(zoom), (after, zoom)
    # a double-click (Plotly's reset) forgets the zoom: the next refresh shows the figure's own range
    centre = page.evaluate(
        f"""() => {{ const L = document.querySelector('{CHART}')._fullLayout;
                return {{x: L.xaxis._offset + L.xaxis._length / 2, y: L.yaxis._offset + L.yaxis._length / 2}}; }}"""
    )  # the first arm's histogram (one subplot per arm)
    page.locator(CHART).first.dblclick(position=centre)
    _mark_current(page)
    _wait_for_refresh(page)
    reset = page.evaluate(f"() => document.querySelector('{CHART}').layout.xaxis.range")
    assert abs(reset[0] - zoom[0]) > 1e-6 or abs(reset[1] - zoom[1]) > 1e-6, (reset, zoom)
    page.locator(".st-key-cmp_pause button").first.click()
    page.close()


def sync_api_approx(values):
    import pytest

    return pytest.approx(values, rel=1e-6, abs=1e-9)
