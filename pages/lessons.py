"""Lessons: the source article's claims as predict -> play -> verdict experiments (``/lessons``).

``?lesson=ID`` opens one (ids of ``negsamp_core.lessons.LESSONS``); ``?present=1`` is the
projector mode (:mod:`lab_ui.present`). The lesson's run (a ``LessonSession``) lives in the session
(:mod:`lab_ui.lesson_state`) and advances in time-budgeted ticks from a fragment that re-runs on a
timer only while playing; figures come from :mod:`lab_ui.lesson_view` (no Streamlit there).
"""

import streamlit as st

from lab_ui import lesson_state, present, shell, state
from lab_ui.lesson_view import coinciding, lesson_figures, progress, snapshot_html, tinker_params
from lab_ui.player import TICK_SECONDS
from lab_ui.runs import TICK_BUDGET_S
from lab_ui.scheduler import SCHEDULER
from lab_ui.widgets import keep_zoom
from negsamp_core.lessons import LESSONS, LessonSession, catalogue_cost

ctx = shell.setup("lessons")
keep_zoom()  # the lesson's charts are remounted at each epoch while playing: keep the user's zoom
lang, tr = ctx.lang, ctx.t
presenting = present.on()
CHART = {"displaylogo": False}
CATALOGUE_SIZES = (1_000, 10_000, 100_000)


def _text(pair) -> str:
    return pair.get(lang) or pair["en"]


def _link_params(**extra) -> dict:
    """Query parameters that keep the language, seed and presentation mode across lesson links."""
    out = {"lang": lang} if lang != "en" else {}
    if int(ctx.spec.seed):
        out["seed"] = str(ctx.spec.seed)
    if presenting:
        out["present"] = "1"
    return {**out, **extra}


def lesson_list() -> None:
    for lesson in LESSONS.values():
        with st.container(border=True, key=f"lesson_card_{lesson.id}"):
            st.markdown(f"##### {_text(lesson.title)}")
            st.markdown(_text(lesson.claim))
            st.caption(_text(lesson.question))
            st.page_link(
                "pages/lessons.py",
                label=tr("lp_open"),
                icon=":material/school:",
                query_params=_link_params(lesson=lesson.id),
            )


lesson_id = st.query_params.get("lesson")
if lesson_id not in LESSONS:
    st.title("🎓 " + tr("lp_title"))
    if lesson_id:
        st.warning(tr("lp_unknown", lesson=lesson_id), icon=":material/help:")
    st.markdown(tr("lp_intro"))
    lesson_list()
    shell.stop()

lesson = LESSONS[lesson_id]
seed = int(ctx.spec.seed)
session = lesson_state.session(lesson_id, seed)
if session is None:
    overrides = lesson_state.test_overrides()
    try:
        session = LessonSession(lesson_id, seed=seed, epochs=overrides.get("epochs"), world=overrides.get("world"))
    except (ValueError, RuntimeError) as exc:
        st.error(tr("lp_build_error", error=exc))
        shell.stop()
    lesson_state.set_session(session)
    lesson_state.set_playing(False)
    st.session_state.pop(lesson_state.prediction_key(), None)

st.title("🎓 " + _text(lesson.title))
if not presenting:
    st.page_link("pages/lessons.py", label=tr("lp_back"), icon=":material/arrow_back:", query_params=_link_params())
    st.markdown(f"*{_text(lesson.claim)}*")


@st.cache_data(show_spinner=False, max_entries=8)
def _catalogue_size(n_items: int) -> dict:
    """One catalogue size of the cost lesson's sweep (timings; shared by every session of the server)."""
    return catalogue_cost(sizes=(n_items,))


def _result(session: LessonSession, one_piece: bool) -> dict | None:
    """The finished lesson's verdict in this language (memoised in the session). The cost lesson's
    catalogue sweep is measured one size per tick when ``one_piece`` (the page stays responsive)."""
    cached = lesson_state.result(lang)
    if cached is not None:
        return cached
    if "catalogue" in lesson.probes and "catalogue" not in session.probes:
        parts = session.probes.setdefault("catalogue_parts", {})
        for n in CATALOGUE_SIZES:
            if n not in parts:
                parts[n] = _catalogue_size(n)
                if one_piece and len(parts) < len(CATALOGUE_SIZES):
                    return None
        session.probes["catalogue"] = {
            name: {n: parts[n][name][n] for n in CATALOGUE_SIZES} for name in parts[CATALOGUE_SIZES[0]]
        }
    value = session.result(lang)
    lesson_state.set_result(lang, value)
    return value


def _play() -> None:
    lesson_state.set_playing(True)
    lesson_state.mark_started()
    lesson_state.request_full_rerun()  # the fragment's timer starts with a full run


def _reset() -> None:
    old = lesson_state.session(lesson_id, seed)
    lesson_state.set_session(LessonSession(lesson_id, seed=old.seed, epochs=old.config.epochs, world=old.world))
    lesson_state.set_playing(False)
    lesson_state.request_full_rerun()


def _progress_html(session: LessonSession, playing: bool, result) -> str:
    key = "lp_status_done" if result is not None else "lp_status_playing" if playing else "lp_status_new"
    colour = {"lp_status_done": "#009E73", "lp_status_playing": "#0072B2", "lp_status_new": "#777777"}[key]
    parts = [
        f'<span class="ns-status" data-status="{key[10:]}" style="background:{colour};color:white;'
        f'border-radius:4px;padding:2px 10px;margin-right:12px;white-space:nowrap">{tr(key)}</span>'
    ]
    for label, epoch, epochs, style in progress(session):
        parts.append(
            f'<span class="ns-counter" data-arm="{label}" data-epoch="{epoch}" '
            f'style="border-left:6px solid {style.color};padding:2px 10px;margin-right:10px;'
            f'white-space:nowrap;font-size:1.05rem"><b>{label}</b> '
            f"{tr('counter_epoch', epoch=epoch, epochs=epochs)}</span>"
        )
    return '<div style="line-height:2.2">' + "".join(parts) + "</div>"


def _figures(session: LessonSession, result) -> list:
    """The lesson's charts, rebuilt only when an epoch completed (or the verdict arrived)."""
    version = (id(session), tuple(t.epoch for t in session.trainers.values()), lang, result is not None, presenting)
    memo = lesson_state.figure_memo()
    if memo is None or memo[0] != version:
        figs = lesson_figures(session, lang, result)
        if presenting:
            figs = [(spec, present.big(fig)) for spec, fig in figs]
        memo = (version, figs)
        lesson_state.set_figure_memo(memo)
    return memo[1]


def _prediction(playing: bool, started: bool) -> None:
    st.markdown(f"**{tr('lp_question')}: {_text(lesson.question)}**")
    st.radio(
        tr("lp_question"),
        range(len(lesson.choices)),
        format_func=lambda i: _text(lesson.choices[i]),
        index=None,
        key=lesson_state.prediction_key(),
        disabled=started,
        label_visibility="collapsed",
    )
    if not started:
        st.caption(tr("lp_predict_caption"))


def _verdict(result: dict) -> None:
    with st.container(key="lesson_verdict", border=True):
        st.markdown(f"#### {tr('lp_verdict')}")
        choice = st.session_state.get(lesson_state.prediction_key())
        answer = result["answer"]
        if choice is None:
            st.info(tr("lp_skipped", answer=answer), icon=":material/skip_next:")
        elif int(choice) == result["answer_index"]:
            st.success(
                f"**{tr('lp_right_label')}.** " + tr("lp_right", choice=_text(lesson.choices[int(choice)])),
                icon=":material/check_circle:",
            )
        else:
            st.warning(
                f"**{tr('lp_wrong_label')}.** "
                + tr("lp_wrong", choice=_text(lesson.choices[int(choice)]), answer=answer),
                icon=":material/cancel:",
            )
        for check in result["checks"]:
            icon, word = (
                (":material/check_circle:", tr("lv_holds")) if check["holds"] else (":material/cancel:", tr("lv_fails"))
            )
            st.markdown(f"{icon} **{word}** · {check['text']}")
        st.caption(tr("lp_all_hold") if result["holds"] else tr("lp_some_fail"))
        st.markdown(f"**{tr('lp_why')}.** {result['why']}")
        took = lesson_state.play_to_verdict_seconds()
        if took is not None:
            st.caption(tr("lp_time", seconds=f"{took:.1f}", train=f"{result['seconds']:.1f}"))
        guess = _text(lesson.choices[int(choice)]) if choice is not None else None
        st.download_button(
            tr("lp_snapshot"),
            lambda: snapshot_html(session, result, lang, guess),  # built on click
            file_name=f"lesson-{lesson.id}-seed{session.seed}.html",
            mime="text/html",
            key="lesson_snapshot",
            on_click="ignore",
            icon=":material/download:",
        )


def _chart(spec, fig, result, key_prefix: str = "lesson_chart") -> None:
    if spec.verdict and result is not None:
        with st.container(border=True, key=f"lesson_highlight_{spec.name}"):
            st.markdown(f":material/arrow_downward: **{tr('lp_reads')}**")
            st.plotly_chart(fig, key=f"{key_prefix}_{spec.name}", config=CHART)
    else:
        st.plotly_chart(fig, key=f"{key_prefix}_{spec.name}", config=CHART)


def _bar(session: LessonSession, playing: bool, result) -> None:
    started = playing or any(t.epoch or t.step_in_epoch for t in session.trainers.values())
    with present.bar():
        cols = st.columns([1, 1, 5], vertical_alignment="center")
        cols[0].button(
            tr("play"),
            key="lesson_play",
            icon=":material/play_arrow:",
            type="primary",
            on_click=_play,
            disabled=playing or session.done,
            width="stretch",
        )
        cols[1].button(
            tr("reset"),
            key="lesson_reset",
            icon=":material/replay:",
            on_click=_reset,
            disabled=not started,
            width="stretch",
        )
        cols[2].markdown(_progress_html(session, playing, result), unsafe_allow_html=True)


@st.fragment(run_every=TICK_SECONDS if lesson_state.is_playing() else None)
def lesson_body() -> None:
    session = lesson_state.session(lesson_id, seed)
    if session is None:
        return
    if lesson_state.pop_full_rerun():
        st.rerun()  # Play was pressed inside this fragment: a full run starts (or stops) its timer
    playing = lesson_state.is_playing()
    result, note = None, None
    if playing and not session.done and not session.error:
        # the same fair queue as Compare and the Playground (one slot per core, round-robin)
        with SCHEDULER.slot(state.session_id(), wait_s=0.5) as grant:
            if grant.granted:
                session.advance(seconds=TICK_BUDGET_S)
            else:
                note = tr("busy")
    if session.done and not session.error:
        result = _result(session, one_piece=playing)
        if result is None:
            parts = session.probes.get("catalogue_parts", {})
            note = tr("lp_measuring", done=len(parts), total=len(CATALOGUE_SIZES))
    if playing and (session.error or result is not None):
        lesson_state.set_playing(False)
        lesson_state.mark_finished()
        st.rerun()  # stops the timer
    started = playing or any(t.epoch or t.step_in_epoch for t in session.trainers.values())
    _bar(session, playing, result)
    if note:
        st.caption("⏳ " + note)
    if session.error:
        st.error(tr("lp_error", error=session.error))
    for a, b in coinciding({label: trainer.history for label, trainer in session.trainers.items()}):
        st.caption(":material/join: " + tr("lv_coincide", a=a, b=b))
    figs = _figures(session, result)
    if presenting:
        left, right = st.columns([2, 3], gap="large")
        with left:
            _prediction(playing, started)
            if result is not None:
                _verdict(result)
        with right:
            present.deck(
                "lesson",
                [
                    (
                        fig.layout.title.text.split("<br>")[0] or spec.name,
                        lambda spec=spec, fig=fig: _chart(spec, fig, result),
                    )
                    for spec, fig in figs
                ],
                lang,
            )
        return
    _prediction(playing, started)
    if result is not None:
        _verdict(result)
        verdict_spec, verdict_fig = figs[0]
        _chart(verdict_spec, verdict_fig, result)
        if len(figs) > 1:
            st.subheader(tr("lp_more"))
        for spec, fig in figs[1:]:
            _chart(spec, fig, result)
    else:
        st.subheader(tr("lp_live"))
        for spec, fig in figs:
            _chart(spec, fig, result)


lesson_body()

if not presenting:
    st.divider()
    arms = ", ".join(arm.label for arm in lesson.arms)
    world = ", ".join(f"{k} = {v}" for k, v in session.world.items()) or tr("lv_world_default")
    st.caption(tr("lp_settings", arms=arms, epochs=session.config.epochs, seed=session.seed, world=world))
    st.page_link(
        "pages/compare.py",
        label=tr("lp_tinker"),
        icon=":material/tune:",
        query_params={**tinker_params(lesson, session.seed), **({"lang": lang} if lang != "en" else {})},
    )
    st.caption(tr("lp_tinker_caption"))
shell.page_drawn()
