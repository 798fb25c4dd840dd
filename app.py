"""Negative Sampling Lab: `streamlit run app.py`. This entry point is the Learn page (`/`).

The other pages live in `pages/` (classic discovery): /lessons, /playground, /compare, /data. Every page
starts with `lab_ui.shell.setup`, which applies the server's process settings once, draws the same
sidebar and keeps the session's settings. Pages only render: what the app knows about a sampler
lives in its view (`lab_ui/sampler_views/`), and every page iterates the registry. Each claim of
the article links to its lesson; the one illustration is a lesson's run (``lab_ui.learn``).
"""

import streamlit as st

from lab_ui import shell
from lab_ui.i18n import LANGS
from lab_ui.learn import DEMO_LESSON, DIRECTION_LESSONS, fig_lesson_demo, lessons_for_sampler
from lab_ui.sampler_views import view_for
from negsamp_core.lessons import LESSONS, LessonSession
from negsamp_core.samplers import SAMPLERS

ctx = shell.setup("learn")
FAMILY_KEYS = {"heuristic": "card_family_heuristic", "model-based": "card_family_model"}


@st.cache_data(show_spinner=False, max_entries=4)
def _lesson_result(lesson_id: str, seed: int) -> dict:
    """A lesson run headless to its verdict, in every language: plain data shared by every session."""
    session = LessonSession(lesson_id, seed=seed)
    session.advance()
    return {code: session.result(code) for code in LANGS}


def lesson_link(lesson_id: str) -> None:
    """A link to the lesson that teaches a claim (the language travels with it)."""
    title = LESSONS[lesson_id].title
    st.page_link(
        "pages/lessons.py",
        label=tr("learn_lesson_link", title=title.get(lang) or title["en"]),
        icon=":material/school:",
        query_params={"lesson": lesson_id, **({"lang": lang} if lang != "en" else {})},
    )


lang, tr = ctx.lang, ctx.t
views = [view_for(name) for name in SAMPLERS]

st.title("🎯 " + tr("app_title"))
st.markdown(f"#### {tr('learn_title')}")
st.markdown(tr("learn_intro"))
st.latex(r"\mathcal{L}_{\mathrm{BPR}} = -\log \sigma\big(s(u,i) - s(u,j)\big), \qquad s(u,i) = p_u \cdot q_i")
st.caption(tr("learn_loss_caption"))

st.subheader(tr("learn_directions"))
for col, (title, text, icon, direction) in zip(
    st.columns(3),
    (
        ("dir_quality", "dir_quality_text", "🎯", "quality"),
        ("dir_bias", "dir_bias_text", "⚖️", "bias"),
        ("dir_efficiency", "dir_efficiency_text", "⏱️", "efficiency"),
    ),
):
    with col.container(border=True):
        st.markdown(f"**{icon} {tr(title)}**")
        st.markdown(tr(text))
        lesson_link(DIRECTION_LESSONS[direction])

st.subheader(tr("learn_families"))
for col, (family, title, text) in zip(
    st.columns(2),
    (("heuristic", "family_heuristic", "family_heuristic_text"), ("model-based", "family_model", "family_model_text")),
):
    with col.container(border=True):
        members = ", ".join(v.label for v in views if v.family == family) or "—"
        st.markdown(f"**{tr(title, samplers=members)}**")
        st.markdown(tr(text))

st.subheader(tr("learn_samplers"))
for view in views:
    with st.container(border=True, key=f"card_{view.name}"):
        family = tr(FAMILY_KEYS[view.family]) if view.family in FAMILY_KEYS else view.family
        st.markdown(
            f'<h5><span style="color:{view.style.color}">■</span> {view.label} · <i>{family}</i></h5>',
            unsafe_allow_html=True,
        )
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**{tr('card_draws')}:** {view.text('draws', lang) or '—'}")
        with right:
            for role, label in (("cost", "card_cost"), ("risk", "card_risk")):
                if view.text(role, lang):
                    st.markdown(f"**{tr(label)}:** {view.text(role, lang)}")
            if view.text("paper", lang):
                st.caption(f"{tr('card_paper')}: {view.text('paper', lang)}")
        if view.formula:  # the card's full width: in a column SRNS's formula was cut at 1280 px
            st.latex(view.formula)
        if view.text("note", lang):
            st.info(view.text("note", lang), icon="💡")
        for lesson_id in lessons_for_sampler(view.name):
            lesson_link(lesson_id)

st.subheader(tr("learn_demo"))
demo = _lesson_result(DEMO_LESSON, 0)[lang]  # one run of the lesson, computed once per server
st.caption(tr("learn_demo_caption", seed=demo["seed"], epochs=demo["epochs"]))
st.plotly_chart(fig_lesson_demo(demo, lang=lang), key="learn_chart_lesson", config={"displaylogo": False})
st.markdown(" ".join(check["text"] for check in demo["checks"]))
lesson_link(DEMO_LESSON)

st.subheader(tr("learn_lessons"))
st.markdown(tr("learn_lessons_intro"))
for column, lesson_id in zip(st.columns(2) * len(LESSONS), LESSONS):
    with column:
        lesson_link(lesson_id)
st.markdown(tr("learn_next"))
shell.page_drawn()
