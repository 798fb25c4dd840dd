"""Negative Sampling Lab: `streamlit run app.py`. This entry point is the Learn page (`/`).

The other pages live in `pages/` (classic discovery): /playground, /compare, /data. Every page
starts with `lab_ui.shell.setup`, which applies the server's process settings once, draws the same
sidebar and keeps the session's settings. Pages only render: what the app knows about a sampler
lives in its view (`lab_ui/sampler_views/`), and every page iterates the registry.
"""

import streamlit as st

from lab_ui import figures, shell
from lab_ui.learn import toy_draws
from lab_ui.sampler_views import view_for
from negsamp_core.samplers import SAMPLERS

ctx = shell.setup("learn")
FAMILY_KEYS = {"heuristic": "card_family_heuristic", "model-based": "card_family_model"}


@st.cache_data(show_spinner=False, max_entries=4)
def _toy_draws(seed: int, samplers: tuple):
    """Deterministic toy-world draws: plain data, shared by every session (no training state)."""
    return toy_draws(seed=seed, samplers=samplers)


lang, tr = ctx.lang, ctx.t
views = [view_for(name) for name in SAMPLERS]

st.title("🎯 " + tr("app_title"))
st.markdown(f"#### {tr('learn_title')}")
st.markdown(tr("learn_intro"))
st.latex(r"\mathcal{L}_{\mathrm{BPR}} = -\log \sigma\big(s(u,i) - s(u,j)\big), \qquad s(u,i) = p_u \cdot q_i")
st.caption(tr("learn_loss_caption"))

st.subheader(tr("learn_directions"))
for col, (title, text, icon) in zip(st.columns(3), (("dir_quality", "dir_quality_text", "🎯"),
                                                    ("dir_bias", "dir_bias_text", "⚖️"),
                                                    ("dir_efficiency", "dir_efficiency_text", "⏱️"))):
    with col.container(border=True):
        st.markdown(f"**{icon} {tr(title)}**")
        st.markdown(tr(text))

st.subheader(tr("learn_families"))
for col, (family, title, text) in zip(st.columns(2), (("heuristic", "family_heuristic", "family_heuristic_text"),
                                                      ("model-based", "family_model", "family_model_text"))):
    with col.container(border=True):
        members = ", ".join(v.label for v in views if v.family == family) or "—"
        st.markdown(f"**{tr(title, samplers=members)}**")
        st.markdown(tr(text))

st.subheader(tr("learn_samplers"))
for view in views:
    with st.container(border=True, key=f"card_{view.name}"):
        family = tr(FAMILY_KEYS[view.family]) if view.family in FAMILY_KEYS else view.family
        st.markdown(f'<h5><span style="color:{view.style.color}">■</span> {view.label} · <i>{family}</i></h5>',
                    unsafe_allow_html=True)
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**{tr('card_draws')}:** {view.text('draws', lang) or '—'}")
            if view.formula:
                st.latex(view.formula)
        with right:
            for role, label in (("cost", "card_cost"), ("risk", "card_risk")):
                if view.text(role, lang):
                    st.markdown(f"**{tr(label)}:** {view.text(role, lang)}")
            if view.text("paper", lang):
                st.caption(f"{tr('card_paper')}: {view.text('paper', lang)}")
        if view.text("note", lang):
            st.info(view.text("note", lang), icon="💡")

st.subheader(tr("learn_live"))
draws = _toy_draws(0, tuple(SAMPLERS))  # a few epochs of every sampler on the toy world, computed once
toy = draws.dataset
st.caption(tr("learn_live_caption", epochs=draws.epochs))
user = st.selectbox(tr("learn_user"), range(toy.n_users), format_func=toy.user_label, key="learn_user")
fig = figures.fig_learn_draws({n: c[user] for n, c in draws.counts.items()},
                              [toy.item_label(i) for i in range(toy.n_items)], draws.positive(user),
                              draws.liked_hidden(user), user=toy.user_label(user), lang=lang)
st.plotly_chart(fig, key="learn_chart_draws", config={"displaylogo": False})
st.markdown(tr("learn_fn_share", user=toy.user_label(user)))
for col, name in zip(st.columns(len(draws.counts)), draws.counts):
    col.metric(view_for(name).label, f"{draws.fn_share(name, user):.0%}")
st.markdown(tr("learn_next"))
