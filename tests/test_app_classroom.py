"""A classroom on one server (issue 9): the defects found there, each with a regression test named
after it, and the URL contract (no value of any URL setting ever reaches a page as a traceback)."""

from __future__ import annotations

import math
import threading
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")
from app_support import no_user_data, play, warm_up  # noqa: F401, E402  (autouse fixtures)
from streamlit.testing.v1 import AppTest  # noqa: E402

from lab_ui import state  # noqa: E402
from lab_ui.datasets import MAX_UPLOAD_MB, DatasetSpec, load  # noqa: E402
from lab_ui.player import counter_html, train_tick  # noqa: E402
from lab_ui.runs import LiveRun, RunSpec  # noqa: E402
from lab_ui.scheduler import Scheduler, run_lock  # noqa: E402
from negsamp_core.config import preset  # noqa: E402
from negsamp_core.data import DatasetNotFound, make_synthetic, make_toy  # noqa: E402
from negsamp_core.data.csv import MAX_CSV_BYTES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 30
PAGES = {"compare": "pages/compare.py", "playground": "pages/playground.py", "data": "pages/data.py"}
BAD_VALUES = (
    "9" * 5000,
    "-" + "9" * 400,
    "-1",
    "-1e300",
    "1e308",
    "nan",
    "inf",
    "-inf",
    "NaN",
    "1,2,3",
    "abc",
    "",
    "0x10",
    "1e-320",
    "\u0661\u0662",
)


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.switch_page(PAGES[page])
    return at.run()


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value[:300] for e in at.exception]


def counter(at: AppTest) -> str:
    return [m.value for m in at.markdown if "ns-counter" in m.value][0]


# ---------------------------------------------------------------------------- URL parameters
def test_regression_seed_of_5000_nines_is_a_notice_not_an_overflow_traceback():
    at = open_page("compare", dataset="toy", samplers="rns", seed="9" * 5000)
    assert_ok(at)
    assert at.session_state["seed"] == 0
    assert any("seed=" in w.value for w in at.warning)
    assert all(len(w.value) < 400 for w in at.warning)  # the notice does not repeat 5,000 digits


def _url_settings() -> list[tuple[str, str]]:
    """(page, URL name) of every registered URL setting: shared ones on the Data page, the training
    pages' own on theirs."""
    out = [("data", s.url) for s in state.shared_settings() if s.url]
    out += [("compare", s.url) for s in state.page_settings("cmp", multi=True) if s.url]
    out += [("playground", s.url) for s in state.page_settings("pg", multi=False) if s.url and s.url in ("sampler",)]
    return out


@pytest.mark.parametrize("bad", BAD_VALUES, ids=lambda v: v[:12] or "empty")
@pytest.mark.parametrize("url", sorted({u for _, u in _url_settings()}))
def test_every_url_setting_parses_bad_values_into_range_or_refuses(url, bad):
    """Pure layer, every setting x every bad value: a parse either raises one of PARSE_ERRORS
    (a notice) or returns a finite value inside the widget's range."""
    settings = {
        s.url: s
        for s in state.shared_settings()
        + state.page_settings("cmp", multi=True)
        + state.page_settings("pg", multi=False)
        if s.url
    }
    s = settings[url]
    try:
        value = s.parse(bad)
    except state.PARSE_ERRORS:
        return
    if isinstance(value, float):
        assert math.isfinite(value)
    if url == "seed":
        assert 0 <= value <= state.SEED_MAX


@pytest.mark.parametrize("page, url", _url_settings(), ids=lambda v: v)
def test_every_url_setting_with_absurd_values_gives_at_most_a_notice(page, url):
    """AppTest, every registered URL setting x the bad values (one session per setting, one run per
    value): never an exception on the page, the setting keeps a usable value."""
    base = {"dataset": "toy"} if url != "dataset" else {}
    if page == "compare" and url != "samplers":
        base["samplers"] = "rns"
    at = open_page(page, **base)
    assert_ok(at)
    name = next(
        s.name
        for s in state.shared_settings()
        + state.page_settings("cmp", multi=True)
        + state.page_settings("pg", multi=False)
        if s.url == url
    )
    for bad in BAD_VALUES:
        at.query_params[url] = bad
        at.run()
        assert_ok(at)
        value = at.session_state[name]
        if isinstance(value, float):
            assert math.isfinite(value), (url, bad, value)


# ---------------------------------------------------------------------------- divergence
def test_regression_diverged_run_says_diverged_and_lowering_the_rate_resumes():
    at = open_page("compare", dataset="toy", samplers="rns", lr=1.0)
    run = at.session_state["cmp_run"]
    trainer = run.trainers["rns"]
    trainer.error = "Training diverged at epoch 1: the learning rate (1) is most likely too large"
    at.run()
    assert_ok(at)
    assert 'data-status="diverged"' in counter(at) and 'data-status="done"' not in counter(at)
    assert at.button(key="cmp_play").disabled
    at.select_slider(key="w_cmp_lr").set_value(0.1).run()
    assert_ok(at)
    assert trainer.error is None and trainer.config.lr == pytest.approx(0.1)
    assert not at.button(key="cmp_play").disabled
    assert any("resumes" in i.value for i in at.info)
    at.button(key="cmp_play").click().run()
    assert_ok(at)
    assert trainer.step_in_epoch > 0 or trainer.epoch > 0


def test_raising_the_rate_of_a_diverged_run_does_not_resume_it():
    at = open_page("compare", dataset="toy", samplers="rns", lr=0.1)
    trainer = at.session_state["cmp_run"].trainers["rns"]
    trainer.error = "Training diverged"
    at.select_slider(key="w_cmp_lr").set_value(1.0).run()
    assert trainer.error and at.button(key="cmp_play").disabled


# ---------------------------------------------------------------------------- the counter
def test_regression_pause_badge_only_when_the_counter_has_stopped():
    at = open_page("compare", dataset="toy", samplers="rns,dns")
    at.slider(key="w_cmp_speed").set_value(1).run()
    at.button(key="cmp_play").click().run()
    at.run()
    run = at.session_state["cmp_run"]
    at.button(key="cmp_pause").click().run()
    assert_ok(at)
    shown = counter(at)
    assert 'data-status="paused"' in shown
    stopped = {n: (tr.epoch, tr.step_in_epoch) for n, tr in run.trainers.items()}
    for name, (epoch, step) in stopped.items():
        assert f'data-sampler="{name}" data-epoch="{epoch}" data-step="{step}"' in shown
    for _ in range(3):  # later ticks (a timer that was already on its way) change nothing
        at.run()
        assert {n: (tr.epoch, tr.step_in_epoch) for n, tr in run.trainers.items()} == stopped
        assert counter(at) == shown
    # while another thread is still advancing the run, the badge says "pausing", not "paused"
    with run_lock(run) as mine:
        assert mine
        assert 'data-status="pausing"' in counter_html(run, "en", playing=False)
    assert 'data-status="paused"' in counter_html(run, "en", playing=False)


def _world_run(samplers=("rns", "dns")) -> LiveRun:
    return LiveRun(make_synthetic(seed=0), RunSpec(("synthetic", 0), tuple(samplers), preset("synthetic"), {}, 0))


def test_regression_step_counter_never_exceeds_steps_per_epoch(monkeypatch):
    # "step 54/40": two threads advanced one run at once (a stale script thread of a reconnected
    # session and the new one); each step bumped the epoch's batch count past the end of the epoch.
    import lab_ui.player
    from lab_ui.scheduler import Scheduler

    monkeypatch.setattr(lab_ui.player, "SCHEDULER", Scheduler(slots=2))  # no queue left by earlier tests
    run = _world_run()
    worst = [0]

    def tick(session):
        for _ in range(15):
            # 7 steps a tick: not a divisor of the 20 steps per epoch, so ticks end mid-epoch
            train_tick(run, session, 7, wait_s=1.0, cancel=lambda: False)
            worst[0] = max([worst[0]] + [t.step_in_epoch for t in run.trainers.values()])

    threads = [threading.Thread(target=tick, args=(f"s{i}",)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    steps = next(iter(run.trainers.values())).steps_per_epoch
    assert 0 < worst[0] <= steps
    assert all(t.epoch >= 1 and t.step_in_epoch <= steps for t in run.trainers.values())


# ---------------------------------------------------------------------------- data
@pytest.mark.parametrize("folder", ["/etc", "/proc/self", "/no/such/folder"])
def test_regression_named_movielens_folder_without_files_is_an_error_not_a_silent_fallback(
    folder, monkeypatch, tmp_path
):
    # a complete ml-100k in NEGSAMP_DATA_DIR must not be used when the learner named another folder
    data = tmp_path / "data" / "ml-100k"
    data.mkdir(parents=True)
    for f in ("u1.base", "u1.test", "u.data"):
        (data / f).write_text("1\t1\t5\t0\n")
    monkeypatch.setenv("NEGSAMP_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(DatasetNotFound, match="folder you named"):
        load(DatasetSpec(kind="ml-100k", data_dir=folder))
    at = open_page("data", dataset="toy")
    at.text_input(key="w_data_dir").input(folder).run()
    at.button(key="data_ml_load").click().run()
    assert_ok(at)
    assert at.session_state["dataset"] == "toy"
    assert any(folder in e.value and "ml-100k" in e.value for e in at.error)


def test_regression_data_page_user_picker_follows_a_dataset_switch():
    def picker():
        found = [s for s in at.selectbox if s.key and s.key.startswith("data_user")]
        assert len(found) == 1
        return found

    at = open_page("data", dataset="toy")
    toy = make_toy()
    assert picker()[0].options[0] == toy.user_label(int(np.flatnonzero(toy.train.counts > 0)[0]))
    picker()[0].set_value(int(np.flatnonzero(toy.train.counts > 0)[2])).run()
    at.sidebar.selectbox[0].set_value("synthetic").run()
    assert_ok(at)
    world = make_synthetic(seed=0)
    picker = picker()
    assert picker[0].options[:3] == [world.user_label(int(u)) for u in np.flatnonzero(world.train.counts > 0)[:3]]
    assert picker[0].value in np.flatnonzero(world.train.counts > 0).tolist()


def test_regression_max_upload_size_equals_the_apps_csv_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB == MAX_CSV_BYTES // 2**20 == 50


def test_uploads_are_pruned_to_the_current_and_one_previous():
    uploads, memo = {}, {("toy",): object()}
    for i in range(4):
        memo[("csv", f"d{i}")] = object()
        state.keep_uploads(uploads, memo, f"d{i}", object())
    assert list(uploads) == ["d2", "d3"] and state.KEEP_UPLOADS == 2
    assert sorted(memo) == [("csv", "d2"), ("csv", "d3"), ("toy",)]
    state.keep_uploads(uploads, memo, "d2", object())  # uploading the previous file again makes it current
    assert list(uploads) == ["d3", "d2"]


# ---------------------------------------------------------------------------- the queue
def test_scheduler_is_fifo_and_round_robin():
    sched = Scheduler(slots=1, stale_s=60)
    assert sched.acquire("a").granted
    assert sched.acquire("b").place == 1 and sched.acquire("c").place == 2
    assert not sched.acquire("d").granted and sched.place("d") == 3
    sched.release("a")
    assert not sched.acquire("c").granted  # b is first
    assert sched.acquire("b").granted
    sched.release("b")
    assert sched.acquire("a").place == 3  # a trained: it rejoins at the back (c, d, a)
    assert sched.acquire("c").granted


def test_scheduler_keeps_a_slow_sessions_place_but_never_idles_for_a_silent_one():
    sched = Scheduler(slots=1, stale_s=60, skip_s=0.05)
    assert sched.acquire("busy").granted
    assert sched.acquire("slow").place == 1 and sched.acquire("fast").place == 2
    sched.release("busy")
    assert not sched.acquire("fast").granted  # slow asked a moment ago: it is first
    threading.Event().wait(0.1)  # slow's tick is late (or its tab closed): the slot goes to fast...
    assert sched.acquire("fast").granted
    sched.release("fast")
    assert sched.place("slow") == 1  # ...and slow keeps its place for its next tick
    assert sched.acquire("slow").granted


def test_scheduler_serves_every_waiting_session():
    sched = Scheduler(slots=2, stale_s=60)
    counts = {f"s{i}": 0 for i in range(8)}

    def session(sid):
        for _ in range(30):
            with sched.slot(sid, wait_s=2.0) as grant:
                if grant.granted:
                    counts[sid] += 1
                    threading.Event().wait(0.001)

    threads = [threading.Thread(target=session, args=(sid,)) for sid in counts]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert min(counts.values()) >= 0.5 * max(counts.values()) > 0, counts


# ---------------------------------------------------------------------------- memory and CPU of a class
def test_regression_streamlit_full_gc_after_every_run_is_off_30_sessions_starved():
    """With ``runner.postScriptGC`` on, Streamlit ran gc.collect(2) after every fragment run: with 30
    sessions ticking that was 72 % of the server's CPU and no session trained (0 epochs/min)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_regression_expired_sessions_are_dropped_when_nobody_connects_any_more():
    """Streamlit's TTL store removes an expired session only at its next write: after a class left,
    every student's run stayed in memory (RSS 1,254 MB after close against 515 MB at the start)."""
    from types import SimpleNamespace

    from streamlit.runtime.memory_session_storage import MemorySessionStorage

    from lab_ui.shell import expire_sessions

    storage = MemorySessionStorage(ttl_seconds=0.05)
    for sid in ("a", "b"):
        storage.save(SimpleNamespace(session=SimpleNamespace(id=sid)))
    assert expire_sessions(storage, threading.Lock()) == 2  # not expired yet: kept
    time.sleep(0.1)
    assert storage.list() == []  # expired entries are hidden from reads ...
    assert len(storage._cache._data) == 2  # ... but still held (the bug)
    assert expire_sessions(storage) == 0
    assert len(storage._cache._data) == 0


def test_housekeeping_runs_its_tasks_and_collects_cycles_and_starts_once(monkeypatch):
    import gc
    import weakref

    from lab_ui import scheduler

    monkeypatch.setattr(scheduler, "_HOUSEKEEPER", [])
    ran = threading.Event()

    class Node:
        pass

    node = Node()
    node.self = node  # a cycle: only a collection frees it
    ref = weakref.ref(node)
    del node
    gc.disable()
    try:
        thread = scheduler.start_housekeeping(every_s=0.01, extra=(lambda: 1 / 0, ran.set))
        assert scheduler.start_housekeeping(every_s=0.01) is thread  # once per process
        assert ran.wait(5)  # a failing task does not stop the others
        deadline = time.monotonic() + 5
        while ref() is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ref() is None
    finally:
        scheduler.stop_housekeeping()
        gc.enable()
    assert not thread.is_alive()


def test_charts_refresh_less_often_when_more_sessions_than_slots_want_to_train(monkeypatch):
    from lab_ui import player

    sched = Scheduler(slots=2)
    monkeypatch.setattr(player, "SCHEDULER", sched)
    assert player.chart_seconds() == player.CHART_SECONDS
    for i in range(6):
        sched._queue[f"s{i}"] = time.monotonic()
    assert player.chart_seconds() == pytest.approx(3 * player.CHART_SECONDS)
    for i in range(60):
        sched._queue[f"t{i}"] = time.monotonic()
    assert player.chart_seconds() == player.MAX_CHART_SECONDS


def test_a_turn_under_load_covers_the_ticks_the_session_waited(monkeypatch):
    import lab_ui.player

    sched = Scheduler(slots=2)
    monkeypatch.setattr(lab_ui.player, "SCHEDULER", sched)
    run = _world_run()
    calls = []
    monkeypatch.setattr(run, "advance", lambda steps, budget_s: calls.append((steps, budget_s)))
    train_tick(run, "alone", 7, wait_s=1.0, cancel=lambda: False)
    assert sched.load_factor() == 1.0
    sched._queue["me"] = time.monotonic()  # first in the queue ...
    for i in range(3):  # ... of 4 sessions for 2 slots: each gets a turn every other tick
        sched._queue[f"w{i}"] = time.monotonic()
    train_tick(run, "me", 7, wait_s=1.0, cancel=lambda: False)
    sched._queue = {"me": time.monotonic(), **{f"x{i}": time.monotonic() for i in range(30)}}
    train_tick(run, "me", 7, wait_s=1.0, cancel=lambda: False)
    budget = lab_ui.player.TICK_BUDGET_S
    assert calls[0] == (7, pytest.approx(budget))
    assert calls[1] == (14, pytest.approx(2 * budget))
    assert calls[2] == (21, pytest.approx(lab_ui.player.MAX_TURN_SCALE * budget))  # capped


def test_regression_chart_gap_fixed_when_play_was_pressed_is_declared_anew_when_the_load_moves(monkeypatch):
    """The charts' timer was fixed when Play was pressed: the first students of a class kept a 2 s
    gap under a 15-fold load. The counter now asks for a full run when the wanted gap is 2x off."""
    from lab_ui import player

    assert not player.chart_gap_stale(None, 20.0)  # not playing: no timer to declare
    assert not player.chart_gap_stale(2.0, 2.0)
    assert not player.chart_gap_stale(2.0, 3.9)  # within a factor 2: no extra full run
    assert player.chart_gap_stale(2.0, 4.0)
    assert player.chart_gap_stale(2.0, 20.0)
    assert not player.chart_gap_stale(20.0, 10.1)
    assert player.chart_gap_stale(20.0, 10.0)  # the class left
    sched = Scheduler(slots=1)
    monkeypatch.setattr(player, "SCHEDULER", sched)
    assert not player.chart_gap_stale(player.CHART_SECONDS)
    for i in range(15):  # 15 sessions want the one slot
        sched._queue[f"s{i}"] = time.monotonic()
    assert player.chart_gap_stale(player.CHART_SECONDS)
    assert not player.chart_gap_stale(player.MAX_CHART_SECONDS)


def test_compare_declares_its_chart_gap_from_the_load_at_each_full_run(monkeypatch):
    from lab_ui import player

    at = open_page("compare", dataset="toy", epochs=200)
    assert at.session_state["_cmp_chart_gap"] is None  # paused: no timer
    play(at, ticks=1)
    assert_ok(at)
    assert at.session_state["_cmp_chart_gap"] == player.chart_seconds()
    monkeypatch.setattr(player, "chart_seconds", lambda: 16.0)
    at.run()
    assert at.session_state["_cmp_chart_gap"] == 16.0


def test_pages_first_a_turn_does_not_start_while_another_sessions_page_is_drawn():
    """Regression: page loads under a class's ramp waited behind training turns (18 s at 30 sessions).
    A turn now waits while another session draws a page, never for its own page, at most
    page_first_s per request, and the page's end lets it start at once."""
    sched = Scheduler(slots=1, page_first_s=0.6)
    sched.page_started("me")
    assert sched.acquire("me", 0.0).granted  # its own page never holds it back
    sched.release("me")
    sched.page_started("newcomer")
    assert sched.pages_drawing(besides="me") == 1 and sched.pages_drawing(besides="newcomer") == 1
    assert not sched.acquire("me", 0.0).granted
    threading.Timer(0.15, sched.page_drawn, args=("newcomer",)).start()
    start = time.monotonic()
    assert sched.acquire("me", 2.0).granted
    assert 0.1 <= time.monotonic() - start < 0.5  # woken by page_drawn, not by the expiry
    sched.release("me")
    sched.page_started("stuck")  # a page that never says it is drawn (an exception, st.stop)
    start = time.monotonic()
    assert sched.acquire("me", 2.0).granted
    assert 0.5 <= time.monotonic() - start < 1.5  # bounded by page_first_s
    sched.release("me")
    assert sched.pages_drawing() == 0  # expired


def test_every_page_says_it_is_drawn_so_training_resumes_at_once():
    from lab_ui.scheduler import SCHEDULER

    for page in ("compare", "playground", "data"):
        at = open_page(page, dataset="toy")
        assert_ok(at)
        assert SCHEDULER.pages_drawing() == 0, page
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()  # Learn
    assert_ok(at)
    assert SCHEDULER.pages_drawing() == 0
    at.switch_page("pages/lessons.py").run()
    assert_ok(at)
    assert SCHEDULER.pages_drawing() == 0
