"""A real browser against a freshly started `streamlit run app.py`: a lesson in presentation mode,
Play to the verdict, and the first chart above the fold at 1280 x 720 and 1920 x 1080.

Screenshots go to $SCREENSHOT_DIR when it is set. Skips cleanly without Playwright or Chromium.
``NEGSAMP_TIME_LESSONS=1`` also times Play -> verdict for every lesson on the default world.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from browser_support import browser, pytestmark, server, sync_api  # noqa: F401 (fixtures, marks, playwright)

WAIT_MS = 180_000
LESSON_IDS = (
    "three-directions",
    "pns-popularity",
    "dns-candidates",
    "irgan-game",
    "false-negatives",
    "srns-variance",
    "cost",
)


def shoot(page, name: str, height: int | None = None) -> None:
    """Save a screenshot (Streamlit scrolls inside the page: a tall viewport shows all of it)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        if height:
            page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
            time.sleep(1.5)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def first_chart_in_view(page, selector: str) -> dict:
    """The first chart's bounding box and the viewport; asserts the box lies inside the viewport."""
    page.wait_for_selector(f"{selector} .js-plotly-plot", timeout=WAIT_MS)
    time.sleep(1.0)  # plotly's own layout pass
    box = page.locator(f"{selector} .js-plotly-plot").first.bounding_box()
    view = page.viewport_size
    assert box is not None
    assert box["y"] >= 0 and box["x"] >= 0, box
    assert box["y"] + box["height"] <= view["height"] + 1 and box["x"] + box["width"] <= view["width"] + 1, (box, view)
    return box


def play_to_verdict(page) -> float:
    page.wait_for_selector(".st-key-lesson_play button:not([disabled])", timeout=WAIT_MS)
    start = time.time()
    page.locator(".st-key-lesson_play button").first.click()
    page.wait_for_selector(".st-key-lesson_verdict", timeout=WAIT_MS)
    return time.time() - start


def test_lesson_present_mode_play_to_verdict_first_chart_above_the_fold(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server + "/lessons?lesson=dns-candidates&present=1")  # direct link, fresh server
    page.wait_for_selector(".st-key-lesson_prediction", timeout=WAIT_MS)
    assert (
        page.locator("[data-testid=stSidebar]").count() == 0
        or not page.locator("[data-testid=stSidebar]").first.is_visible()
    )
    assert page.locator("[data-testid=stSlider]").count() == 0
    first_chart_in_view(page, ".st-key-lesson_chart_hardness")
    shoot(page, "lesson_present_1280_before")
    page.locator(".st-key-lesson_prediction [role=radiogroup] label").first.click()
    took = play_to_verdict(page)
    print(f"\ndns-candidates (present): Play -> verdict {took:.1f} s")
    page.wait_for_selector(".st-key-lesson_highlight_hardness .js-plotly-plot", timeout=WAIT_MS)
    page.wait_for_function("() => !document.querySelector('[data-stale=true]')", timeout=WAIT_MS)
    first_chart_in_view(page, ".st-key-lesson_chart_hardness")
    assert page.locator(".st-key-lesson_verdict").first.is_visible()
    shoot(page, "lesson_present_1280")
    page.set_viewport_size({"width": 1920, "height": 1080})
    time.sleep(1.5)
    first_chart_in_view(page, ".st-key-lesson_chart_hardness")
    shoot(page, "lesson_present_1920")
    # the player bar stays in view when the page scrolls
    page.evaluate("() => document.querySelectorAll('[data-testid=stMain]').forEach(e => e.scrollTo(0, 600))")
    time.sleep(0.5)
    bar = page.locator(".st-key-present_bar").first.bounding_box()
    assert bar is not None and bar["y"] >= -1 and bar["y"] < 120, bar
    page.close()


def test_lesson_page_and_learn_page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/lessons?lesson=dns-candidates")
    page.wait_for_selector(".st-key-lesson_prediction", timeout=WAIT_MS)
    took = play_to_verdict(page)
    print(f"\ndns-candidates: Play -> verdict {took:.1f} s")
    page.wait_for_selector(".st-key-lesson_highlight_hardness .js-plotly-plot", timeout=WAIT_MS)
    time.sleep(1.0)
    shoot(page, "lesson_dns_candidates", height=2600)
    page.goto(server + "/lessons?lang=zh")
    page.wait_for_selector(".st-key-lesson_card_cost", timeout=WAIT_MS)
    shoot(page, "lessons_list_zh", height=2000)
    page.goto(server + "/")
    page.wait_for_selector(".st-key-learn_chart_lesson .js-plotly-plot", timeout=WAIT_MS)
    time.sleep(1.0)
    shoot(page, "learn", height=4600)
    page.close()


@pytest.mark.parametrize("target", ["compare", "playground"])
def test_compare_and_playground_present_first_chart_above_the_fold(server, browser, target):
    prefix = "cmp" if target == "compare" else "pg"
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server + f"/{target}?present=1")
    page.wait_for_selector(f".st-key-{prefix}_play button", timeout=WAIT_MS)
    assert page.locator("[data-testid=stSlider]").count() == 0
    page.locator(f".st-key-{prefix}_play button").first.click()
    page.wait_for_function(
        """(p) => Array.from(document.querySelectorAll(`.st-key-${p}_counter .ns-counter`))
               .some(e => +e.dataset.epoch >= 1)""",
        arg=prefix,
        timeout=WAIT_MS,
    )
    first_chart_in_view(page, f".st-key-{prefix}_chart_convergence")
    shoot(page, f"{target}_present_1280")
    page.locator(f".st-key-{prefix}_pause button").first.click()
    page.close()


@pytest.mark.skipif(os.environ.get("NEGSAMP_TIME_LESSONS") != "1", reason="timing run: NEGSAMP_TIME_LESSONS=1")
def test_time_every_lesson_in_the_app(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    times = {}
    for lesson_id in LESSON_IDS:
        page.goto(server + f"/lessons?lesson={lesson_id}")
        page.wait_for_selector(".st-key-lesson_prediction", timeout=WAIT_MS)
        times[lesson_id] = play_to_verdict(page)
        load = os.getloadavg()[0]
        print(f"\n{lesson_id}: Play -> verdict {times[lesson_id]:.1f} s (load average {load:.1f})", flush=True)
    page.close()
    assert all(v < 300 for v in times.values()), times  # a loaded shared machine: see the printed figures
