"""Serving a class: the live-loop benchmark's JSON, the load test's light client against a real
server, and the multi-process recipe (nginx, sticky cookie, websockets) when nginx is installed."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import sys
import urllib.request
from pathlib import Path

import pytest

from lab_ui import loadtest

ROOT = Path(__file__).resolve().parents[1]


def test_live_loop_reports_the_keys_bench_json_promises(monkeypatch):
    from lab_ui import live_bench
    from negsamp_core import bench

    result = live_bench.measure_live_loop(seconds=2, rounds=1)
    assert {"app_epochs_per_second", "cli_epochs_per_second", "outside_training_share", "dataset", "samplers"} <= set(
        result
    )
    assert result["samplers"] == ["rns", "pns", "dns", "irgan", "srns"]
    assert result["app_epochs_per_second"] > 0 and result["cli_epochs_per_second"] > 0
    assert 0 <= result["outside_training_share"] < 1
    monkeypatch.setattr(
        live_bench,
        "measure_live_loop",
        lambda: {
            "app_epochs_per_second": 1.0,
            "cli_epochs_per_second": 2.0,
            "ratio": 0.5,
            "outside_training_share": 0.1,
        },
    )
    assert bench._live_loop()["live_loop"]["ratio"] == 0.5
    monkeypatch.setenv("NEGSAMP_BENCH_LIVE_LOOP", "0")
    assert bench._live_loop() == {}


def test_negsamp_core_bench_does_not_import_lab_ui():
    import subprocess

    code = "import sys, negsamp_core.bench, negsamp_core.cli; assert 'lab_ui' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_loadtest_refuses_other_hosts_and_bounds_its_size():
    with pytest.raises(SystemExit):
        loadtest.check_local("http://example.org:8501")
    loadtest.check_local("http://127.0.0.1:8501")
    assert loadtest.MAX_SESSIONS <= 60 and loadtest.MAX_SECONDS <= 1800
    assert loadtest._slope([(0, 100.0), (60, 101.0), (120, 102.0)]) == pytest.approx(1.0)


def _serve():
    port = loadtest.free_port()
    return loadtest.start_server(port, ttl=10), f"http://127.0.0.1:{port}"


def test_light_client_loads_compare_presses_play_and_reads_epochs():
    proc, url = _serve()
    try:
        loadtest.wait_healthy(url)
        session = loadtest.LightSession(url, query="dataset=toy&epochs=200")
        asyncio.run(session.run(8.0, asyncio.Event()))
        assert session.error is None and session.page_load_s is not None and session.play_id
        assert session.readings and session.readings[-1][1] >= 1, session.readings[-5:]
        assert "playing" in {s for _, s in session.statuses}
        # regression: the client sent no page hash, so a rerun the server started itself (the end of
        # a run: st.rerun() in the counter's fragment) ran the Learn page and the session sat there
        done = loadtest.LightSession(url, query="dataset=toy&epochs=10")
        asyncio.run(done.run(20.0, asyncio.Event()))
        assert done.error is None and [s for _, s in done.statuses][-1] == "done", done.statuses
        assert done.full_runs >= 3  # the page, Play, and the run's end
        assert len(done.pages) == done.full_runs and len(set(done.pages)) == 1  # all of them /compare
    finally:
        proc.terminate()
        proc.wait(15)


def _classroom_module():
    spec = importlib.util.spec_from_file_location("classroom", ROOT / "deploy" / "classroom.py")
    classroom = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(classroom)
    return classroom


def _visit(url: str, cookie: str | None = None) -> tuple[str, str]:
    """One request through the proxy: (the route cookie it sets, the backend that answered)."""
    request = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request) as r:
        got = next(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") if c.startswith("nslab_route="))
        return got, r.headers["X-Upstream"]


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(), reason="needs nginx")
def test_two_processes_behind_nginx_are_sticky_and_proxy_websockets():
    room = _classroom_module().Classroom(processes=2, ttl=10)

    def visit(cookie: str | None = None) -> tuple[str, str]:
        return _visit(room.url, cookie)

    try:
        backends = {f"127.0.0.1:{p}" for p in room.backend_ports}
        upstreams = {}
        for visitor in range(12):
            cookie, first = visit()
            assert first in backends and cookie in {"nslab_route=b1", "nslab_route=b2"}
            for _ in range(3):  # the same browser always reaches the same process
                assert visit(cookie) == (cookie, first)
            upstreams[visitor] = first
        assert len(set(upstreams.values())) == 2  # and visitors are spread over both
        session = loadtest.LightSession(room.url, query="dataset=toy&epochs=200")
        asyncio.run(session.run(6.0, asyncio.Event()))
        assert session.error is None and session.readings and session.readings[-1][1] >= 1
    finally:
        room.stop()


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(), reason="needs nginx")
def test_nginx_routes_new_visitors_in_turn_regression_uneven_hash_split():
    """Regression: the route cookie used to be a random value hashed onto the backends, and 30
    students split 19/11 (the slowest session trained at 0.6 of the median). New visitors are now dealt
    out in turn (least_conn), the cookie names the backend, and only known names are honoured."""
    room = _classroom_module().Classroom(processes=2, ttl=10)

    def visit(cookie: str | None = None) -> tuple[str, str]:
        return _visit(room.url, cookie)

    try:
        firsts = [visit()[1] for _ in range(30)]
        assert sorted(firsts.count(b) for b in set(firsts)) == [15, 15]
        # forged or stale routes (another backend's address, a name that is not in the map) go to the
        # pool and get a valid route back; they never choose where nginx connects
        for forged in ("nslab_route=127.0.0.1:22", "nslab_route=b9", "nslab_route=", "nslab_route=../b1"):
            cookie, upstream = visit(forged)
            assert upstream in {f"127.0.0.1:{p}" for p in room.backend_ports}
            assert cookie in {"nslab_route=b1", "nslab_route=b2"}
    finally:
        room.stop()


def test_nginx_config_names_each_backend_once():
    classroom = _classroom_module()
    conf = classroom.render_config(classroom.TEMPLATE.read_text(), "127.0.0.1:8080", [9001, 9002, 9003], Path("/x"))
    assert "@" not in conf.replace("@PREFIX@", "")  # every placeholder filled
    assert conf.count("server 127.0.0.1:9001 max_fails=0;") == 1 and "least_conn;" in conf
    for i, port in enumerate((9001, 9002, 9003), 1):
        assert f'"b{i}" "127.0.0.1:{port}";' in conf and f'"127.0.0.1:{port}" "b{i}";' in conf
    assert "hash $" not in conf
