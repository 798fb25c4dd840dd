"""The Play / Pause / Step / Reset player shared by the Playground and Compare pages.

Pattern (verified on Streamlit 1.67): the run lives in ``st.session_state``; a fragment re-runs on
a timer only while playing (``run_every`` is a minimum gap), each tick trains a time-budgeted
chunk with no Streamlit call in the middle (:meth:`LiveRun.advance`) and then draws. Buttons are
``on_click`` callbacks, so Pause takes effect at the next tick, and closing the tab stops the
timer (the browser drives it).
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from negsamp_core.config import TrainConfig

from . import state
from .figures import STYLE
from .i18n import sampler_label, t
from .runs import SLOTS, TICK_BUDGET_S, LiveRun, RunSpec, changed_fields

__all__ = ["TICK_SECONDS", "build_spec", "ensure_run", "controls", "live", "counter_html", "cached"]

TICK_SECONDS = 0.1  # run_every: the minimum gap between ticks (the browser drives it)
FIGURE_REFRESH_S = 1.5  # while playing, heavy panels are rebuilt at most this often


def cached(slot: str, version: tuple, build: Callable[[], object], playing: bool):
    """``build()`` memoised in the session under ``slot`` by ``version``; while playing, a stale
    value is reused for up to FIGURE_REFRESH_S seconds (building Plotly figures is slow)."""
    import time

    cache = st.session_state.get(slot)
    now = time.monotonic()
    if cache is not None:
        old_version, built_at, value = cache
        if old_version == version:
            return value
        if playing and old_version[0] == version[0] and old_version[2:] == version[2:] \
                and now - built_at < FIGURE_REFRESH_S:
            return value
    value = build()
    st.session_state[slot] = (version, now, value)
    return value


def build_spec(prefix: str, samplers, dataset_key: tuple, seed: int) -> RunSpec:
    """The RunSpec of a page from its canonical settings."""
    ss = st.session_state
    config = TrainConfig(dim=int(ss[f"{prefix}_dim"]), lr=float(ss[f"{prefix}_lr"]),
                         batch_size=int(ss[f"{prefix}_batch"]), n_negatives=int(ss[f"{prefix}_k"]),
                         epochs=int(ss[f"{prefix}_epochs"]), eval_k=int(ss[f"{prefix}_topk"]), score_bins=64)
    params = {}
    from negsamp_core.samplers import SAMPLERS
    for name in samplers:
        params[name] = {p.name: ss[f"{prefix}_{name}_{p.name}"] for p in SAMPLERS[name].PARAMS}
    return RunSpec(dataset_key=dataset_key, samplers=tuple(samplers), config=config, params=params, seed=seed)


def _what(key: str, lang: str) -> str:
    if "." in key:
        sampler, param = key.split(".", 1)
        return t("what_param", lang, sampler=sampler_label(sampler), param=param)
    return t(f"what_{key}", lang) if f"what_{key}" in _WHAT else key


_WHAT = {f"what_{k}" for k in ("dataset", "seed", "samplers", "dim", "batch_size", "n_negatives", "eval_k")}


def ensure_run(prefix: str, dataset, spec: RunSpec, lang: str) -> LiveRun | None:
    """The page's run, rebuilt when a structural setting changed (with a notice), kept with an
    explanation when the new settings are impossible; live settings applied to it."""
    ss = st.session_state
    run: LiveRun | None = ss.get(f"{prefix}_run")
    ident = spec.identity()
    if run is None or run.identity != ident:
        failed = ss.get(f"{prefix}_failed")
        if failed is not None and failed[0] == ident:
            error = failed[1]
        else:
            try:
                new = LiveRun(dataset, spec)
                error = None
            except ValueError as exc:
                error = str(exc)
                ss[f"{prefix}_failed"] = (ident, error)
            else:
                if run is not None:
                    what = ", ".join(dict.fromkeys(_what(k, lang) for k in changed_fields(run.identity, ident)))
                    ss[f"{prefix}_notice"] = t("run_reset_notice", lang, what=what)
                ss[f"{prefix}_run"], run = new, new
                ss[f"{prefix}_playing"] = False
                ss.pop(f"{prefix}_failed", None)
        if error is not None:
            st.error("⚠ " + t("run_build_error", lang, error=error))
    if run is None:
        return None
    if run.identity == ident:
        for error in run.apply_live(spec):
            st.warning(t("live_param_error", lang, error=error))
    notice = ss.pop(f"{prefix}_notice", None)
    if notice:
        st.info("↺ " + notice)
    return run


# ---------------------------------------------------------------------------- callbacks
def _play(prefix: str) -> None:
    st.session_state[f"{prefix}_playing"] = True


def _pause(prefix: str) -> None:
    st.session_state[f"{prefix}_playing"] = False


def _step(prefix: str) -> None:
    st.session_state[f"{prefix}_playing"] = False
    run = st.session_state.get(f"{prefix}_run")
    if run is not None and not run.done:
        run.step()


def _reset(prefix: str) -> None:
    st.session_state[f"{prefix}_playing"] = False
    run = st.session_state.get(f"{prefix}_run")
    if run is not None:
        st.session_state[f"{prefix}_run"] = LiveRun(run.dataset, run.spec)


def controls(prefix: str, run: LiveRun | None, lang: str) -> None:
    """The player row: Play, Pause, Step, Reset and the speed (batches per tick)."""
    playing = st.session_state.get(f"{prefix}_playing", False)
    done = run is None or run.done
    cols = st.columns([1, 1, 1, 1, 3])
    cols[0].button(t("play", lang), key=f"{prefix}_play", icon=":material/play_arrow:", type="primary",
                   on_click=_play, args=(prefix,), disabled=playing or done, help=t("play_help", lang),
                   width="stretch")
    cols[1].button(t("pause", lang), key=f"{prefix}_pause", icon=":material/pause:", on_click=_pause,
                   args=(prefix,), disabled=not playing, help=t("pause_help", lang), width="stretch")
    cols[2].button(t("step", lang), key=f"{prefix}_step", icon=":material/skip_next:", on_click=_step,
                   args=(prefix,), disabled=done, help=t("step_help", lang), width="stretch")
    cols[3].button(t("reset", lang), key=f"{prefix}_reset", icon=":material/replay:", on_click=_reset,
                   args=(prefix,), disabled=run is None, help=t("reset_help", lang), width="stretch")
    cols[4].slider(t("speed", lang), 1, 100, help=t("speed_help", lang, ms=int(TICK_BUDGET_S * 1000)),
                   **state.bind(f"{prefix}_speed"))


def counter_html(run: LiveRun, lang: str, playing: bool) -> str:
    """One badge per sampler with its current epoch and step (the visible counter)."""
    parts = []
    for name, trainer in run.trainers.items():
        colour = STYLE[name]["color"]
        text = t("counter_epoch", lang, epoch=trainer.epoch, epochs=trainer.config.epochs)
        if not trainer.done:
            text += " · " + t("counter_step", lang, step=trainer.step_in_epoch, steps=trainer.steps_per_epoch)
        parts.append(f'<span class="ns-counter" data-sampler="{name}" data-epoch="{trainer.epoch}" '
                     f'style="border-left:6px solid {colour};padding:2px 10px;margin-right:10px;'
                     f'white-space:nowrap;font-size:1.05rem"><b>{sampler_label(name)}</b> {text}</span>')
    key = ("status_done" if run.done else "status_playing" if playing else
           "status_paused" if run.started else "status_new")
    colour = {"status_done": "#009E73", "status_playing": "#0072B2", "status_paused": "#777777",
              "status_new": "#777777"}[key]
    status = (f'<span class="ns-status" data-status="{key[7:]}" style="background:{colour};color:white;'
              f'border-radius:4px;padding:2px 10px;margin-right:12px;white-space:nowrap">{t(key, lang)}</span>')
    return f'<div style="line-height:2.2">{status}' + "".join(parts) + "</div>"


def live(prefix: str, lang: str, draw: Callable[[LiveRun, bool], None]) -> None:
    """The live fragment: while playing it re-runs every TICK_SECONDS, advances the run by one
    time-budgeted chunk, then calls ``draw(run, playing)``."""
    playing = bool(st.session_state.get(f"{prefix}_playing", False))

    @st.fragment(run_every=TICK_SECONDS if playing else None)
    def _tick() -> None:
        ss = st.session_state
        run: LiveRun | None = ss.get(f"{prefix}_run")
        if run is None:
            return
        is_playing = bool(ss.get(f"{prefix}_playing", False))
        if is_playing and not run.done:
            if SLOTS.acquire(blocking=False):
                try:
                    run.advance(int(ss.get(f"{prefix}_speed", 20)))
                finally:
                    SLOTS.release()
            else:
                st.caption("⏳ " + t("busy", lang))
        if is_playing and run.done:
            ss[f"{prefix}_playing"] = False
            st.rerun()  # a full run stops the timer and re-enables the buttons
        with st.container(key=f"{prefix}_counter"):
            st.markdown(counter_html(run, lang, is_playing), unsafe_allow_html=True)
        for name, trainer in run.trainers.items():
            if trainer.error:
                st.error(t("diverged", lang, sampler=sampler_label(name), error=trainer.error))
        draw(run, is_playing)

    _tick()
