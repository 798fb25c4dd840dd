"""The Play / Pause / Step / Reset player shared by the Playground and Compare pages.

Pattern (verified on Streamlit 1.67): the run lives in ``st.session_state``; a small fragment
re-runs on a timer only while playing (``run_every`` is a minimum gap), each tick waits its turn
for one of the server's bounded training slots (:mod:`lab_ui.scheduler`, a fair queue: the
waiting session shows its place), trains a time-budgeted chunk with no Streamlit call in the
middle (:meth:`LiveRun.advance`) and draws the counter. The charts live in a second fragment that
re-runs only every CHART_SECONDS while playing (building and sending Plotly figures costs as much
as training), and once more when the run pauses or ends. Buttons are ``on_click`` callbacks, so
Pause takes effect at the next tick, and closing the tab stops the timers (the browser drives them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from negsamp_core.arms import Arm
from negsamp_core.config import TrainConfig
from negsamp_core.samplers import SAMPLERS

from . import state
from .figures import arm_styles
from .i18n import _m, register, sampler_label, t
from .runs import TICK_BUDGET_S, LiveRun, RunSpec, changed_fields
from .scheduler import SCHEDULER, run_busy, run_lock
from .widgets import keep_zoom

__all__ = [
    "TICK_SECONDS",
    "FigureVersion",
    "build_spec",
    "ensure_run",
    "controls",
    "live",
    "counter_html",
    "cached",
    "chart_seconds",
    "chart_gap_stale",
]

TICK_SECONDS = 0.1  # run_every: the minimum gap between ticks (the browser drives it)
FIGURE_REFRESH_S = 1.5  # while playing, heavy panels are rebuilt at most this often
CHART_SECONDS = 2.0  # while playing alone, the charts fragment re-runs (and re-sends its figures) this often
MAX_CHART_SECONDS = 20.0  # under load the gap grows with the queue, up to this
MAX_TURN_SCALE = 3.0  # under load a turn trains up to this many ticks' worth (see train_tick)
SLOT_WAIT_S = 8.0  # a tick waits up to this long for its turn in the queue (any click ends the wait at once)

register(
    __name__,
    {
        "status_diverged": _m("diverged: lower the learning rate to resume", "已发散：调低学习率即可继续"),
        "status_waiting": _m("waiting for a training slot", "等待训练名额"),
        "status_pausing": _m("pausing…", "正在暂停…"),
        "counter_diverged": _m("diverged", "已发散"),
        "queue_place": _m("Place {place} of {waiting} in the queue.", "排队第 {place} 位（共 {waiting} 位）。"),
        "resumed": _m(
            "{sampler}: learning rate lowered to {lr:g}, training resumes from epoch {epoch}.",
            "{sampler}：学习率已降至 {lr:g}，从第 {epoch} 轮继续训练。",
        ),
    },
)


@dataclass(frozen=True)
class FigureVersion:
    """What a page's cached figures depend on.

    Attributes:
        run: ``id`` of the LiveRun they show.
        progress: how far it is (epochs recorded per sampler; the run's ``done`` for final tables).
        view: everything else they depend on (language, x axis, planned epochs, ...).
    """

    run: int
    progress: tuple
    view: tuple = ()

    @classmethod
    def of(cls, live_run: LiveRun, *view, done: bool = False) -> "FigureVersion":
        progress = tuple(len(h) for h in live_run.histories.values()) + ((live_run.done,) if done else ())
        return cls(id(live_run), progress, tuple(view))

    def same_view(self, other: "FigureVersion") -> bool:
        """Same run and view, possibly further along: a stale figure may stand in while playing."""
        return self.run == other.run and self.view == other.view


def refresh_window() -> float:
    """How long a stale figure may stand in while playing: FIGURE_REFRESH_S alone on the server,
    longer in proportion when more sessions than slots want to train (each session then advances
    that much slower, and rebuilding six Plotly figures costs as much CPU as a tick of training)."""
    return FIGURE_REFRESH_S * SCHEDULER.load_factor()


def chart_seconds() -> float:
    """The charts fragment's ``run_every`` while playing: CHART_SECONDS alone, longer in proportion
    to the demand per training slot (each session then advances that much slower, and every re-run
    re-sends six Plotly figures: with 30 sessions at a 2 s gap, that was a fifth of the server's
    CPU), at most MAX_CHART_SECONDS. A fragment's timer is declared by a full page run, so
    :func:`chart_gap_stale` tells the counter when the load has moved far enough to declare it anew."""
    return min(MAX_CHART_SECONDS, CHART_SECONDS * SCHEDULER.load_factor())


def chart_gap_stale(declared: float | None, now: float | None = None) -> bool:
    """True when the charts' timer declared at ``declared`` seconds is off by a factor of 2 or more
    from :func:`chart_seconds` (``now``), so a full run should declare it again. Regression: the gap
    was fixed when Play was pressed; in a class the first students press Play while the server is
    still nearly empty and kept a 2 s gap under a 15-fold load (their charts took the CPU their
    training needed). The factor 2 bounds the extra full runs to a few per session as a class
    arrives or leaves."""
    if declared is None:
        return False
    now = chart_seconds() if now is None else now
    return now >= 2 * declared or now <= declared / 2


def cached(slot: str, version: FigureVersion, build: Callable[[], object], playing: bool):
    """``build()`` memoised in the session under ``slot`` by ``version``; while playing, a value of
    the same run and view is reused for up to :func:`refresh_window` seconds (building Plotly figures is slow)."""
    entry = state.cache_entry(slot)
    now = time.monotonic()
    if entry is not None:
        if entry.version == version:
            return entry.value
        if playing and entry.version.same_view(version) and now - entry.built_at < refresh_window():
            return entry.value
    value = build()
    state.set_cache_entry(slot, state.CacheEntry(version, now, value))
    return value


def build_spec(prefix: str, samplers, dataset_key: tuple, seed: int) -> RunSpec:
    """The RunSpec of a page from its canonical settings; ``samplers`` are arms (sampler names and/or
    :class:`~negsamp_core.arms.Arm` variants), each using the page's settings of its sampler."""
    get = state.get
    config = TrainConfig(
        dim=int(get(f"{prefix}_dim")),
        lr=float(get(f"{prefix}_lr")),
        batch_size=int(get(f"{prefix}_batch")),
        n_negatives=int(get(f"{prefix}_k")),
        epochs=int(get(f"{prefix}_epochs")),
        eval_k=int(get(f"{prefix}_topk")),
        score_bins=64,
    )
    used = dict.fromkeys(Arm.of(a).sampler for a in samplers)
    params = {name: {p.name: get(f"{prefix}_{name}_{p.name}") for p in SAMPLERS[name].PARAMS} for name in used}
    return RunSpec(dataset_key=dataset_key, samplers=tuple(samplers), config=config, params=params, seed=seed)


_WHAT = {
    "dataset": "what_dataset",
    "seed": "what_seed",
    "samplers": "what_samplers",
    "dim": "what_dim",
    "batch_size": "what_batch_size",
    "n_negatives": "what_n_negatives",
    "eval_k": "what_eval_k",
}


def _what(key: str, lang: str) -> str:
    if "." in key:
        sampler, param = key.split(".", 1)
        return t("what_param", lang, sampler=sampler_label(sampler), param=param)
    return t(_WHAT[key], lang) if key in _WHAT else key


def ensure_run(prefix: str, dataset, spec: RunSpec, lang: str) -> LiveRun | None:
    """The page's run, rebuilt when a structural setting changed (with a notice), kept with an
    explanation when the new settings are impossible; live settings applied to it."""
    run = state.run(prefix)
    ident = spec.identity()
    if run is None or run.identity != ident:
        failed = state.failed_build(prefix)
        if failed is not None and failed[0] == ident:
            error = failed[1]
        else:
            try:
                new = LiveRun(dataset, spec)
                error = None
            except ValueError as exc:
                error = str(exc)
                state.set_failed_build(prefix, ident, error)
            else:
                if run is not None:
                    changed = changed_fields(run.identity, ident)
                    if "dataset" in changed:  # the other settings followed the dataset: the user changed only it
                        changed = ["dataset"]
                    what = ", ".join(dict.fromkeys(_what(k, lang) for k in changed))
                    state.set_notice(prefix, t("run_reset_notice", lang, what=what))
                state.set_run(prefix, new)
                run = new
                state.set_playing(prefix, False)
                state.clear_failed_build(prefix)
        if error is not None:
            # "the previous run is kept" only when there is one
            st.error("⚠ " + t("run_build_error" if run is not None else "run_build_error_first", lang, error=error))
    if run is None:
        return None
    if run.identity == ident:
        before = {name: trainer.config.lr for name, trainer in run.trainers.items()}
        for error in run.apply_live(spec):
            st.warning(t("live_param_error", lang, error=error))
        for name in resume_lowered(run, before):
            st.info(
                "▶ "
                + t(
                    "resumed",
                    lang,
                    sampler=sampler_label(name),
                    lr=run.trainers[name].config.lr,
                    epoch=run.trainers[name].epoch + 1,
                )
            )
    notice = state.pop_notice(prefix)
    if notice:
        st.info("↺ " + notice)
    return run


def resume_lowered(run: LiveRun, lr_before: dict) -> list[str]:
    """Resume (:meth:`Trainer.resume`) every diverged trainer whose learning rate is now lower than
    the one it diverged with; return their names. The run is then no longer done: Play is enabled."""
    resumed = []
    for name, trainer in run.trainers.items():
        if trainer.error and trainer.config.lr < lr_before.get(name, trainer.config.lr):
            trainer.resume()
            resumed.append(name)
    return resumed


def diverged(run: LiveRun) -> bool:
    return any(trainer.error for trainer in run.trainers.values())


# ---------------------------------------------------------------------------- callbacks
def _play(prefix: str) -> None:
    state.set_playing(prefix, True)


def _pause(prefix: str) -> None:
    state.set_playing(prefix, False)
    SCHEDULER.forget(state.session_id())


def _step(prefix: str) -> None:
    state.set_playing(prefix, False)
    run = state.run(prefix)
    if run is not None and not run.done:
        run.step()


def _reset(prefix: str) -> None:
    state.set_playing(prefix, False)
    run = state.run(prefix)
    if run is not None:
        state.set_run(prefix, LiveRun(run.dataset, run.spec))


def controls(prefix: str, run: LiveRun | None, lang: str, speed: bool = True) -> None:
    """The player row: Play, Pause, Step, Reset and (``speed``) the speed slider (batches per tick).
    Presentation mode calls it with ``speed=False`` inside its sticky bar."""
    playing = state.is_playing(prefix)
    done = run is None or run.done
    cols = st.columns([1, 1, 1, 1, 3] if speed else [1, 1, 1, 1, 2])
    cols[0].button(
        t("play", lang),
        key=f"{prefix}_play",
        icon=":material/play_arrow:",
        type="primary",
        on_click=_play,
        args=(prefix,),
        disabled=playing or done,
        help=t("play_help", lang),
        width="stretch",
    )
    cols[1].button(
        t("pause", lang),
        key=f"{prefix}_pause",
        icon=":material/pause:",
        on_click=_pause,
        args=(prefix,),
        disabled=not playing,
        help=t("pause_help", lang),
        width="stretch",
    )
    cols[2].button(
        t("step", lang),
        key=f"{prefix}_step",
        icon=":material/skip_next:",
        on_click=_step,
        args=(prefix,),
        disabled=done,
        help=t("step_help", lang),
        width="stretch",
    )
    cols[3].button(
        t("reset", lang),
        key=f"{prefix}_reset",
        icon=":material/replay:",
        on_click=_reset,
        args=(prefix,),
        disabled=run is None,
        help=t("reset_help", lang),
        width="stretch",
    )
    if not speed:
        return
    cols[4].slider(
        t("speed", lang),
        1,
        100,
        help=t("speed_help", lang, ms=int(TICK_BUDGET_S * 1000)),
        **state.bind(f"{prefix}_speed"),
    )


def counter_html(run: LiveRun, lang: str, playing: bool, waiting: bool = False) -> str:
    """One badge per sampler with its current epoch and step (the visible counter), and the run's
    status: finished, diverged, training, waiting for a slot, pausing (another thread is still
    advancing the run), paused or new."""
    parts = []
    styles = arm_styles(run.arms.values())
    for name, trainer in run.trainers.items():
        colour = styles[name].color
        text = t("counter_epoch", lang, epoch=trainer.epoch, epochs=trainer.config.epochs)
        if trainer.error:
            text += " · " + t("counter_diverged", lang)
        elif not trainer.done:
            text += " · " + t("counter_step", lang, step=trainer.step_in_epoch, steps=trainer.steps_per_epoch)
        parts.append(
            f'<span class="ns-counter" data-sampler="{run.sampler_of(name)}" data-epoch="{trainer.epoch}" '
            f'data-step="{trainer.step_in_epoch}" data-arm="{name}" '
            f'style="border-left:6px solid {colour};padding:2px 10px;margin-right:10px;'
            f'white-space:nowrap;font-size:1.05rem"><b>{sampler_label(name)}</b> {text}</span>'
        )
    if run.done:
        key = "status_diverged" if diverged(run) else "status_done"
    elif playing:
        key = "status_waiting" if waiting else "status_playing"
    elif run_busy(run):
        key = "status_pausing"
    else:
        key = "status_paused" if run.started else "status_new"
    colour = {
        "status_done": "#009E73",
        "status_playing": "#0072B2",
        "status_paused": "#777777",
        "status_new": "#777777",
        "status_diverged": "#D55E00",
        "status_waiting": "#E69F00",
        "status_pausing": "#777777",
    }[key]
    label = {
        "status_done": t("status_done", lang),
        "status_playing": t("status_playing", lang),
        "status_paused": t("status_paused", lang),
        "status_new": t("status_new", lang),
        "status_diverged": t("status_diverged", lang),
        "status_waiting": t("status_waiting", lang),
        "status_pausing": t("status_pausing", lang),
    }[key]
    status = (
        f'<span class="ns-status" data-status="{key[7:]}" style="background:{colour};color:white;'
        f'border-radius:4px;padding:2px 10px;margin-right:12px;white-space:nowrap">{label}</span>'
    )
    return f'<div style="line-height:2.2">{status}' + "".join(parts) + "</div>"


def _interaction_pending() -> bool:
    """True when this session has a rerun request waiting (a click: Pause must not wait for a slot)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        requests = get_script_run_ctx(suppress_warning=True).script_requests
        return requests._state.name == "RERUN" and not requests._rerun_data.fragment_id_queue
    except Exception:  # noqa: BLE001 - private API of Streamlit: without it the wait is only bounded
        return False


def train_tick(run: LiveRun, session: str, speed: int, wait_s: float = SLOT_WAIT_S, cancel=_interaction_pending):
    """One tick's training: wait (up to ``wait_s``) for this session's turn for a slot, then advance
    the run by one time-budgeted chunk. Returns the scheduler's :class:`~lab_ui.scheduler.Grant`.

    When more sessions than slots want to train, a session gets a turn only every
    ``load_factor`` ticks; its turn then covers that many ticks (``speed`` batches and TICK_BUDGET_S
    seconds each), up to MAX_TURN_SCALE: fewer, longer turns spend less of the server on Streamlit's
    per-run work, and a learner's speed setting keeps its meaning as far as the slots allow.
    The run is advanced only by the thread that holds its lock (never twice at once)."""
    with SCHEDULER.slot(session, wait_s, cancel) as grant:
        if grant.granted:
            scale = min(MAX_TURN_SCALE, SCHEDULER.load_factor())
            with run_lock(run) as mine:
                if mine and not run.done:
                    run.advance(max(1, round(speed * scale)), budget_s=TICK_BUDGET_S * scale)
    return grant


def _toast_divergence(prefix: str, run: LiveRun, lang: str) -> None:
    """A divergence is also said in a toast (in view wherever the page is scrolled: at 1280x720 the
    counter's message can sit below the fold), once per run and set of diverged arms."""
    names = tuple(name for name, trainer in run.trainers.items() if trainer.error)
    key = f"_{prefix}_diverged_toast"
    token = (id(run), names)
    if names and st.session_state.get(key) != token:
        st.toast(
            t("diverged_toast", lang, sampler=", ".join(sampler_label(n) for n in names)), icon=":material/warning:"
        )
    st.session_state[key] = token


def live(prefix: str, lang: str, draw: Callable[[LiveRun, bool], None]) -> None:
    """The live fragments: while playing the counter's re-runs every TICK_SECONDS and advances the run
    by one time-budgeted chunk when the scheduler gives this session a slot; the charts' re-runs
    every :func:`chart_seconds` and calls ``draw(run, playing)``. When paused, both draw once per page run;
    while the badge says *pausing…* (another thread still advances the run) the counter keeps its
    timer until that thread is done, then a full run draws *paused* and stops the timers."""
    playing = state.is_playing(prefix)
    current = state.run(prefix)
    pausing = not playing and current is not None and run_busy(current)
    gap_key = f"_{prefix}_chart_gap"
    chart_gap = chart_seconds() if playing else None
    st.session_state[gap_key] = chart_gap

    @st.fragment(run_every=TICK_SECONDS if playing or pausing else None)
    def _tick() -> None:
        run = state.run(prefix)
        if run is None:
            return
        is_playing = state.is_playing(prefix)
        if pausing and not is_playing and not run_busy(run):
            st.rerun()  # regression: the badge stayed at "pausing…" (nothing redrew it once the thread ended)
        waiting = None
        if is_playing and not run.done:
            grant = train_tick(run, state.session_id(), state.speed(prefix))
            if grant.granted is False and _interaction_pending():
                return  # a click is waiting: let its rerun come at once
            if not grant.granted and grant.place:
                waiting = grant
        if is_playing and run.done:
            state.set_playing(prefix, False)
            SCHEDULER.forget(state.session_id())
            st.rerun()  # a full run stops the timers, redraws the charts and re-enables the buttons
        if is_playing and chart_gap_stale(st.session_state.get(gap_key)):
            st.rerun()  # the load moved: a full run declares the charts' timer anew
        with st.container(key=f"{prefix}_counter"):
            st.markdown(counter_html(run, lang, is_playing, waiting is not None), unsafe_allow_html=True)
            if waiting is not None:
                st.caption(
                    "⏳ " + t("busy", lang) + " " + t("queue_place", lang, place=waiting.place, waiting=waiting.waiting)
                )
        diverged_arms = [name for name, trainer in run.trainers.items() if trainer.error]
        if diverged_arms:  # one message for every arm that stopped (they share the learning rate)
            labels = ", ".join(sampler_label(name) for name in diverged_arms)
            st.error(t("diverged", lang, sampler=labels, error=run.trainers[diverged_arms[0]].error))

    @st.fragment(run_every=chart_gap)
    def _charts() -> None:
        run = state.run(prefix)
        if run is None:
            return
        _toast_divergence(prefix, run, lang)
        draw(run, state.is_playing(prefix))

    _tick()
    keep_zoom()  # the charts are remounted at each refresh: the page keeps the user's zoom
    _charts()
