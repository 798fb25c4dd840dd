"""What the browser tests share: the system Chromium, a fresh app server per test, one browser per
module. Test modules import the fixtures (``from browser_support import browser, server``) and
``pytestmark``; the server is started by the load test's own helpers (:mod:`lab_ui.loadtest`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lab_ui import loadtest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not shutil.which("chromium"),
        reason="needs the system Chromium (apt-get install chromium)",
    ),
]
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server():
    """A fresh server per test (so direct links are tested before any session opened `/`), without
    NEGSAMP_DATA_DIR (the default synthetic world, as on a newcomer's machine)."""
    port = loadtest.free_port()
    proc = loadtest.start_server(port, ttl=120, drop_env=("NEGSAMP_DATA_DIR",))
    url = f"http://127.0.0.1:{port}"
    try:
        loadtest.wait_healthy(url, timeout=60)
    except RuntimeError:
        proc.kill()
        pytest.fail("streamlit did not start")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except Exception:  # noqa: BLE001 - a server that ignores SIGTERM is killed
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"), args=ARGS
        )
        yield b
        b.close()
