"""Session state of the Lessons page (the one module naming its keys, beside :mod:`lab_ui.state`).

The lesson being played lives in ``st.session_state`` (never a module global or a resource cache:
those are shared by every browser session of the server). Tests may set ``lsn_test`` before the
first run to shorten lessons: ``{"epochs": 2, "world": {"n_users": 60, "n_items": 150}}``.
"""

from __future__ import annotations

import time

import streamlit as st

from negsamp_core.lessons import LessonSession

__all__ = [
    "session",
    "set_session",
    "clear",
    "is_playing",
    "set_playing",
    "test_overrides",
    "result",
    "set_result",
    "request_full_rerun",
    "pop_full_rerun",
    "figure_memo",
    "set_figure_memo",
    "mark_started",
    "mark_finished",
    "play_to_verdict_seconds",
    "prediction_key",
]

PREDICTION = "lesson_prediction"  # the question's radio (the issue names this key)


def prediction_key() -> str:
    return PREDICTION


def session(lesson_id: str, seed: int) -> LessonSession | None:
    """The session's lesson run when it is of ``lesson_id`` with ``seed``; None otherwise."""
    current = st.session_state.get("lsn_session")
    if current is None or current.lesson.id != lesson_id or current.seed != int(seed):
        return None
    return current


def set_session(value: LessonSession) -> None:
    st.session_state["lsn_session"] = value
    st.session_state["lsn_results"] = {}
    st.session_state["lsn_times"] = {}


def clear() -> None:
    for key in ("lsn_session", "lsn_results", "lsn_times", "lsn_playing", "lsn_figs"):
        st.session_state.pop(key, None)


def is_playing() -> bool:
    return bool(st.session_state.get("lsn_playing", False))


def set_playing(value: bool) -> None:
    st.session_state["lsn_playing"] = bool(value)


def test_overrides() -> dict:
    """``{"epochs": int, "world": {...}}`` set by tests (empty in the app)."""
    return dict(st.session_state.get("lsn_test") or {})


def result(lang: str) -> dict | None:
    return st.session_state.get("lsn_results", {}).get(lang)


def set_result(lang: str, value: dict) -> None:
    st.session_state.setdefault("lsn_results", {})[lang] = value


def mark_started() -> None:
    st.session_state.setdefault("lsn_times", {}).setdefault("play", time.monotonic())


def mark_finished() -> None:
    times = st.session_state.setdefault("lsn_times", {})
    if "play" in times:
        times.setdefault("verdict", time.monotonic())


def request_full_rerun() -> None:
    """Ask the lesson's fragment for a full run (a callback inside a fragment cannot start its timer)."""
    st.session_state["lsn_full_rerun"] = True


def pop_full_rerun() -> bool:
    return bool(st.session_state.pop("lsn_full_rerun", False))


def figure_memo():
    """(version, figures) of the lesson's last drawn charts, or None."""
    return st.session_state.get("lsn_figs")


def set_figure_memo(value) -> None:
    st.session_state["lsn_figs"] = value


def play_to_verdict_seconds() -> float | None:
    """Wall seconds from the first Play to the verdict shown (None until both happened)."""
    times = st.session_state.get("lsn_times", {})
    if "play" in times and "verdict" in times:
        return times["verdict"] - times["play"]
    return None
