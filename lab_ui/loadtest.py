"""A classroom load test: N sessions open /compare, press Play and read the epoch counter.

``python -m lab_ui.loadtest --sessions 30 --seconds 300 [--browsers 2] [--url URL] --out load.json``

* Starts its own ``streamlit run app.py`` on a free localhost port unless ``--url`` is given (only
  localhost URLs are accepted), and stops it at the end.
* Most sessions are light clients of Streamlit's own websocket protocol (``/_stcore/stream``, the
  ``BackMsg`` / ``ForwardMsg`` protobufs that ship with streamlit, the ``websockets`` client):
  a session sends the page's first run, presses Play (a rerun whose widget states hold the Play
  button's trigger), answers the fragments' ``auto_rerun`` timers as the browser does, and reads
  every sampler's ``data-epoch`` from the counter's markdown deltas. ``--browsers`` real Chromium
  sessions (Playwright, system /usr/bin/chromium) do the same through the page.
* Bounded: at most 60 sessions, 1,800 s, 4 browsers; everything closes by itself.
* Reports per-session epochs/min (one epoch = every chosen sampler one epoch; counted from the
  first epoch change after Play to the last reading), page-load times (until Play is drawn), the
  latency of ``/_stcore/health`` sampled under load, the server's RSS (``/proc``: start after a
  warm-up session, slope over the playing window, after every session closed and the
  disconnected-session TTL passed) and how long its CPU takes to fall idle after the close.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["main", "LightSession"]

ROOT = Path(__file__).resolve().parents[1]
MAX_SESSIONS, MAX_SECONDS, MAX_BROWSERS = 60, 1800, 4
EPOCH_RE = re.compile(r'class="ns-counter" data-sampler="(\w+)" data-epoch="(\d+)"')
STATUS_RE = re.compile(r'class="ns-status" data-status="(\w+)"')
CLK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------- /proc
def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (MB)."""
    total = 0
    for p in [pid] + _children(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in [pid] + _children(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK
        except (OSError, IndexError):
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / CLK, sum(values) / CLK


def uptime_load() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return ""


# ---------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, ttl: int, extra_env: dict | None = None, drop_env=()) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:``port`` (one torch thread; ``extra_env`` added and the
    variables named in ``drop_env`` removed from this process's environment). Used by the load test,
    the nginx launcher (deploy/classroom.py) and the browser tests."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2", **(extra_env or {})}
    for name in drop_env:
        env.pop(name, None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.disconnectedSessionTTL",
            str(ttl),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(url: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=3)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not become healthy in {timeout:.0f} s")


def check_local(url: str) -> None:
    host = urllib.parse.urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"only localhost may be load-tested, not {host!r}")


# ---------------------------------------------------------------------------- a light client
class LightSession:
    """One browser session spoken in Streamlit's websocket protocol (no rendering)."""

    def __init__(self, url: str, page: str = "compare", query: str = "epochs=200", prefix: str = "cmp"):
        self.url, self.page, self.query, self.prefix = url, page, query, prefix
        self.play_id: str | None = None
        self.timers: dict[str, asyncio.Task] = {}
        self.readings: list[tuple[float, int]] = []  # (time, min epoch over samplers)
        self.statuses: list[tuple[float, str]] = []
        self.page_load_s: float | None = None
        self.played_at: float | None = None
        self.error: str | None = None
        self.route: str | None = None  # the proxy's route cookie (which backend), if any
        self.page_script_hash = ""  # the page's hash (from the server's navigation), sent back as a browser does
        self.pages: list[str] = []  # the page hash of every full run
        self.full_runs = self.fragment_runs = 0
        self.running = False
        self.pending: set[str] = set()
        self._ws = None
        self._finished = asyncio.Event()

    def _rerun(self, widget_states=None, fragment_id: str = "", auto: bool = False) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.page
        cs.page_script_hash = self.page_script_hash
        if widget_states:
            cs.widget_states.widgets.extend(widget_states)
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = auto
        return msg.SerializeToString()

    async def _send(self, data: bytes) -> None:
        if self._ws is not None:
            await self._ws.send(data)

    async def _auto(self, fragment_id: str, interval: float) -> None:
        """The browser's timer of a fragment: ``run_every`` is a minimum gap, and no request is sent
        while a run of this session is in flight."""
        try:
            while True:
                await asyncio.sleep(interval)
                self.pending.add(fragment_id)
                await self._flush()
                while fragment_id in self.pending:
                    await asyncio.sleep(0.02)
        except (asyncio.CancelledError, Exception):  # noqa: BLE001 - a closed socket ends the timer
            return

    async def _flush(self) -> None:
        """Send the due fragment reruns together once no run is in flight (the server coalesces them)."""
        if self.running or not self.pending:
            return
        self.running = True
        due, self.pending = list(self.pending), set()
        for fid in due:
            await self._send(self._rerun(fragment_id=fid, auto=True))

    def _clear_timers(self) -> None:
        self.pending = set()
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()

    def _on_message(self, raw: bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg.FromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.running = True
            if not msg.metadata.run.fragment_ids:
                self._clear_timers()  # a full run starts: the frontend drops its fragment timers
        elif kind == "navigation" and msg.navigation.page_script_hash:
            # sent back with every rerun as a browser does. Regression: without it a rerun the server
            # starts itself (st.rerun in a fragment run) ran the main page instead of /compare, and
            # the session sat there with no timers (0 epochs/min)
            self.page_script_hash = msg.navigation.page_script_hash
            self.pages.append(msg.navigation.page_script_hash)
        elif kind == "auto_rerun":
            fid = msg.auto_rerun.fragment_id
            if fid in self.timers:
                self.timers[fid].cancel()
            self.timers[fid] = asyncio.ensure_future(self._auto(fid, max(msg.auto_rerun.interval, 0.05)))
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "button" and element.button.id.endswith(f"{self.prefix}_play"):
                self.play_id = element.button.id
            elif which == "markdown" and "ns-counter" in element.markdown.body:
                epochs = [int(e) for _, e in EPOCH_RE.findall(element.markdown.body)]
                if epochs:
                    self.readings.append((time.monotonic(), min(epochs)))
                status = STATUS_RE.search(element.markdown.body)
                if status:
                    self.statuses.append((time.monotonic(), status.group(1)))
        elif kind == "script_finished":
            self.running = False
            asyncio.ensure_future(self._flush())
            if msg.metadata.run.fragment_ids:
                self.fragment_runs += 1
            else:
                self.full_runs += 1
            self._finished.set()

    async def run(self, seconds: float, stop: asyncio.Event) -> None:
        import websockets
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        start = time.monotonic()
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        try:
            cookies = await asyncio.to_thread(_get_cookies, f"{self.url}/{self.page}?{self.query}")
            headers = {"Cookie": cookies} if cookies else {}
            self.route = next((c.split("=", 1)[1] for c in cookies.split("; ") if c.startswith("nslab_route=")), None)
            async with websockets.connect(
                ws_url,
                subprotocols=["streamlit"],
                max_size=2**26,
                open_timeout=120,
                ping_interval=None,
                additional_headers=headers,
            ) as ws:
                self._ws = ws
                reader = asyncio.ensure_future(self._read(ws))
                await ws.send(self._rerun())
                while self.play_id is None or not self._finished.is_set():
                    self._finished.clear()
                    await asyncio.wait_for(self._finished.wait(), timeout=max(1.0, 180 - (time.monotonic() - start)))
                self.page_load_s = time.monotonic() - start
                trigger = WidgetState(id=self.play_id, trigger_value=True)
                self.played_at = time.monotonic()
                self.running = True
                await ws.send(self._rerun([trigger]))
                try:
                    await asyncio.wait_for(stop.wait(), timeout=seconds)
                except asyncio.TimeoutError:
                    pass
                self._clear_timers()
                reader.cancel()
        except Exception as exc:  # noqa: BLE001 - reported per session
            self.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            self._clear_timers()
            self._ws = None

    async def _read(self, ws) -> None:
        try:
            async for raw in ws:
                if isinstance(raw, bytes):
                    self._on_message(raw)
        except Exception:  # noqa: BLE001 - the socket closed
            return

    def epochs_per_min(self) -> float | None:
        """Epochs per minute from Play to the last reading (None if never played)."""
        if self.played_at is None:
            return None
        after = [(t, e) for t, e in self.readings if t >= self.played_at]
        if not after:
            return 0.0
        first_epoch = min(e for _, e in after)
        last_t, last_e = after[-1]
        minutes = max(last_t - self.played_at, 1e-6) / 60
        return (last_e - first_epoch) / minutes if last_e > first_epoch else 0.0


def _get_cookies(url: str, timeout: float = 120) -> str:
    """GET the page as a browser does; return its cookies as a Cookie header (a proxy's route cookie)."""
    with urllib.request.urlopen(url, timeout=timeout) as r:
        r.read()
        return "; ".join(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or [])


def _http_get(url: str, timeout: float = 120) -> float:
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        r.read()
    return time.monotonic() - start


# ---------------------------------------------------------------------------- real browsers
async def browser_session(url: str, seconds: float, stop: asyncio.Event, index: int, shots: Path | None) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"kind": "chromium"}
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--headless"]
            )
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.monotonic()
            await page.goto(f"{url}/compare?epochs=200", timeout=180_000)
            await page.wait_for_selector(".st-key-cmp_play button", timeout=180_000)
            await page.wait_for_selector(".st-key-cmp_counter .ns-counter", timeout=180_000)
            out["page_load_s"] = time.monotonic() - start
            await page.locator(".st-key-cmp_play button").first.click()
            played = time.monotonic()
            readings = []
            while time.monotonic() - played < seconds and not stop.is_set():
                await asyncio.sleep(2.0)
                epochs = await page.evaluate(
                    "() => Array.from(document.querySelectorAll("
                    "'.st-key-cmp_counter .ns-counter')).map(e => +e.dataset.epoch)"
                )
                if epochs:
                    readings.append((time.monotonic(), min(epochs)))
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(shots / f"loadtest_browser{index}.png"))
            after = [r for r in readings if r[0] >= played]
            if after and after[-1][1] > after[0][1]:
                out["epochs_per_min"] = (after[-1][1] - after[0][1]) / ((after[-1][0] - played) / 60)
            else:
                out["epochs_per_min"] = 0.0
            await browser.close()
    except Exception as exc:  # noqa: BLE001 - reported
        out["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return out


# ---------------------------------------------------------------------------- the test
def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (per minute) of (seconds, value) points."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] / 60 for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


async def _health_probe(url: str, stop: asyncio.Event, out: list) -> None:
    while not stop.is_set():
        try:
            out.append(await asyncio.to_thread(_http_get, url + "/_stcore/health", 60))
        except OSError:
            out.append(60.0)
        try:
            await asyncio.wait_for(stop.wait(), timeout=2.0)
        except asyncio.TimeoutError:
            pass


async def _memory_probe(pids: list[int], stop: asyncio.Event, out: list, t0: float) -> None:
    while not stop.is_set():
        out.append((time.monotonic() - t0, sum(rss_mb(p) for p in pids)))
        try:
            await asyncio.wait_for(stop.wait(), timeout=5.0)
        except asyncio.TimeoutError:
            pass


async def run_load(
    url: str, sessions: int, seconds: float, browsers: int, pids: list[int], ttl: float, ramp: float, shots: Path | None
) -> dict:
    # warm-up: sessions load the page and leave (imports, first dataset), then the baseline;
    # one warm-up session per process (behind nginx new visitors are dealt out in turn): before
    # 2026-12-02 only one backend was warmed, so the start RSS counted the other one cold (~70 MB
    # instead of ~480) and the 2-process "after the close" figure read +80-100 % of a wrong baseline
    for _ in range(max(1, len(pids))):
        warm = LightSession(url)
        await warm.run(3.0, asyncio.Event())
    await asyncio.sleep(2.0)
    rss_start_each = [rss_mb(p) for p in pids]
    rss_start = sum(rss_start_each) if pids else None
    load_start = uptime_load()
    stop, probes_stop = asyncio.Event(), asyncio.Event()
    health: list[float] = []
    memory: list[tuple[float, float]] = []
    t0 = time.monotonic()
    cpu0 = (sum(cpu_seconds(p) for p in pids), time.process_time(), *machine_cpu_seconds())
    probes = [asyncio.ensure_future(_health_probe(url, probes_stop, health))]
    if pids:
        probes.append(asyncio.ensure_future(_memory_probe(pids, probes_stop, memory, t0)))
    n_light = max(0, sessions - browsers)
    light = [LightSession(url) for _ in range(n_light)]
    tasks = []
    for i, s in enumerate(light):
        tasks.append(asyncio.ensure_future(s.run(seconds, stop)))
        await asyncio.sleep(ramp / max(1, sessions))
    browser_tasks = [asyncio.ensure_future(browser_session(url, seconds, stop, i, shots)) for i in range(browsers)]
    results_light = await asyncio.gather(*tasks)
    del results_light
    browser_results = await asyncio.gather(*browser_tasks)
    closed_at = time.monotonic()
    cpu1 = (sum(cpu_seconds(p) for p in pids), time.process_time(), *machine_cpu_seconds())
    load_end = uptime_load()
    probes_stop.set()
    await asyncio.gather(*probes)
    # after the close: CPU idle, then RSS once the TTL passed
    cpu_idle = None
    if pids:
        prev = sum(cpu_seconds(p) for p in pids)
        while time.monotonic() - closed_at < 120:
            await asyncio.sleep(1.0)
            now = sum(cpu_seconds(p) for p in pids)
            if now - prev < 0.05:  # under 5 % of one core over a second
                cpu_idle = time.monotonic() - closed_at
                break
            prev = now
        await asyncio.sleep(max(0.0, ttl + 15 - (time.monotonic() - closed_at)))
    rss_after_each = [rss_mb(p) for p in pids]
    rss_after = sum(rss_after_each) if pids else None
    play_window = [(t, m) for t, m in memory if t >= ramp + 30]
    loads = [s.page_load_s for s in light if s.page_load_s is not None] + [
        b["page_load_s"] for b in browser_results if "page_load_s" in b
    ]
    rates = [r for r in (s.epochs_per_min() for s in light) if r is not None] + [
        b["epochs_per_min"] for b in browser_results if "epochs_per_min" in b
    ]
    return {
        "sessions": sessions,
        "light_sessions": n_light,
        "browsers": browsers,
        "loaded_sessions": len(loads),
        "seconds": seconds,
        "page_load_s": {"median": statistics.median(loads) if loads else None, "max": max(loads) if loads else None},
        "epochs_per_min": {
            "min": min(rates) if rates else None,
            "median": statistics.median(rates) if rates else None,
            "max": max(rates) if rates else None,
            "slowest_over_median": (
                min(rates) / statistics.median(rates) if rates and statistics.median(rates) else None
            ),
        },
        "health_latency_s": {
            "median": statistics.median(health) if health else None,
            "max": max(health) if health else None,
            "samples": len(health),
        },
        "rss_start_mb": rss_start,
        "rss_max_mb": max((m for _, m in memory), default=None),
        "rss_slope_mb_per_min": _slope(play_window) if pids else None,
        "rss_after_close_mb": rss_after,
        "rss_per_process_mb": {"start": rss_start_each, "after_close": rss_after_each},
        "rss_series_mb": [(round(t, 1), round(m, 1)) for t, m in memory],  # every 5 s from the first arrival
        "cpu_idle_after_close_s": cpu_idle,
        "ttl_s": ttl,
        "cpu_while_playing_s": {  # where the machine's CPU went from the first arrival to the close
            "server": cpu1[0] - cpu0[0] if pids else None,
            "load_test_clients": cpu1[1] - cpu0[1],  # this process (the light clients), not Chromium
            "machine_busy": cpu1[2] - cpu0[2],
            "machine_total": cpu1[3] - cpu0[3],
        },
        "browser_sessions": browser_results,
        "errors": [s.error for s in light if s.error][:10],
        "sessions_per_route": dict(collections.Counter(s.route for s in light if s.route)),
        "light_detail": [
            {
                "route": s.route,
                "page_load_s": s.page_load_s,
                "epochs_per_min": s.epochs_per_min(),
                "full_runs": s.full_runs,
                "fragment_runs": s.fragment_runs,
                "readings": len(s.readings),
                "last_epoch": s.readings[-1][1] if s.readings else None,
                "statuses": sorted({st for _, st in s.statuses}),
            }
            for s in light
        ][:60],
        "per_session_epochs_per_min": sorted(round(r, 2) for r in rates),
        "machine_load": {"start": load_start, "end": load_end, "cores": os.cpu_count()},
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m lab_ui.loadtest", description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--browsers", type=int, default=0)
    parser.add_argument("--url", default=None, help="an already running app on localhost (else one is started)")
    parser.add_argument("--ttl", type=int, default=30, help="disconnected-session TTL given to the started server")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the sessions arrive")
    parser.add_argument(
        "--pid", type=int, action="append", default=[], help="server process id(s) to measure with --url (RSS, CPU)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="app processes; more than 1 puts them behind nginx (deploy/classroom.py)",
    )
    parser.add_argument("--screenshots", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("load.json"))
    args = parser.parse_args(argv)
    sessions = max(1, min(args.sessions, MAX_SESSIONS))
    seconds = max(5.0, min(args.seconds, MAX_SECONDS))
    browsers = max(0, min(args.browsers, MAX_BROWSERS, sessions))
    proc = room = None
    if args.url:
        check_local(args.url)
        url, pids = args.url.rstrip("/"), list(args.pid)
    elif args.processes > 1:
        import importlib.util

        spec = importlib.util.spec_from_file_location("classroom", ROOT / "deploy" / "classroom.py")
        classroom = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(classroom)
        room = classroom.Classroom(min(args.processes, 8), ttl=args.ttl)
        url, pids = room.url, room.pids
    else:
        port = free_port()
        proc = start_server(port, args.ttl)
        url, pids = f"http://127.0.0.1:{port}", [proc.pid]
    try:
        wait_healthy(url)
        result = asyncio.run(
            asyncio.wait_for(
                run_load(url, sessions, seconds, browsers, pids, args.ttl, args.ramp, args.screenshots),
                timeout=seconds + args.ttl + 600,
            )
        )
    finally:
        if room is not None:
            room.stop()
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    result["url"] = url if args.url else "own server on a free localhost port"
    result["processes"] = 1 if args.url else args.processes
    text = json.dumps(result, indent=1)
    args.out.write_text(text)
    print(text)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
