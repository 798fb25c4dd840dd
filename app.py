"""Negative Sampling Lab: `streamlit run app.py`. This entry point is the Learn page (`/`).

The other pages live in `pages/` (classic discovery): /playground, /compare, /data. Every page
starts with `lab_ui.shell.setup`, which draws the same sidebar and keeps the session's settings.
"""

import streamlit as st

from lab_ui import figures, shell
from lab_ui.i18n import sampler_label
from lab_ui.learn import toy_draws
from negsamp_core.samplers import SAMPLER_NAMES

ctx = shell.setup("learn")


@st.cache_data(show_spinner=False, max_entries=4)
def _toy_draws(seed: int):
    """Deterministic toy-world draws: plain data, shared by every session (no training state)."""
    return toy_draws(seed=seed)


lang, tr = ctx.lang, ctx.t

FORMULAS = {
    "rns": r"j \sim \mathrm{Uniform}\big(\mathcal{I} \setminus \mathcal{P}_u\big)",
    "pns": r"P(j) = \frac{c_j^{\,\alpha}}{\sum_{j' \notin \mathcal{P}_u} c_{j'}^{\,\alpha}}, \quad j \notin \mathcal{P}_u",
    "dns": r"j = \arg\max_{j' \in \{j_1,\dots,j_M\}} s(u, j'), \quad j_m \sim \mathrm{Uniform}(\mathcal{I}\setminus\mathcal{P}_u)",
    "irgan": r"p_G(j \mid u) = \frac{\exp\big(s_G(u,j)/\tau\big)}{\sum_{j' \notin \mathcal{P}_u} \exp\big(s_G(u,j')/\tau\big)}",
    "srns": r"j^* = \arg\max_{j \in \mathcal{M}_u} \; \rho_j + \alpha\, w(e)\, \mathrm{std}_{t}(\rho_j), \quad "
            r"\rho_j = \sigma\big(s(u,j) - s(u,i)\big)",
}
FAMILY = {"rns": "heuristic", "pns": "heuristic", "dns": "model", "irgan": "model", "srns": "model"}

st.title("🎯 " + tr("app_title"))
st.markdown(f"#### {tr('learn_title')}")
st.markdown(tr("learn_intro"))
st.latex(r"\mathcal{L}_{\mathrm{BPR}} = -\log \sigma\big(s(u,i) - s(u,j)\big), \qquad s(u,i) = p_u \cdot q_i")
st.caption(tr("learn_loss_caption"))

st.subheader(tr("learn_directions"))
for col, key, icon in zip(st.columns(3), ("quality", "bias", "efficiency"), ("🎯", "⚖️", "⏱️")):
    with col.container(border=True):
        st.markdown(f"**{icon} {tr('dir_' + key)}**")
        st.markdown(tr(f"dir_{key}_text"))

st.subheader(tr("learn_families"))
f1, f2 = st.columns(2)
with f1.container(border=True):
    st.markdown(f"**{tr('family_heuristic')}**")
    st.markdown(tr("family_heuristic_text"))
with f2.container(border=True):
    st.markdown(f"**{tr('family_model')}**")
    st.markdown(tr("family_model_text"))

st.subheader(tr("learn_samplers"))
for name in SAMPLER_NAMES:
    with st.container(border=True, key=f"card_{name}"):
        family = tr("card_family_heuristic" if FAMILY[name] == "heuristic" else "card_family_model")
        colour = figures.STYLE[name]["color"]
        st.markdown(f'<h5><span style="color:{colour}">■</span> {sampler_label(name)} · <i>{family}</i></h5>',
                    unsafe_allow_html=True)
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**{tr('card_draws')}:** {tr(name + '_draws')}")
            st.latex(FORMULAS[name])
        with right:
            st.markdown(f"**{tr('card_cost')}:** {tr(name + '_cost')}")
            st.markdown(f"**{tr('card_risk')}:** {tr(name + '_risk')}")
            st.caption(f"{tr('card_paper')}: {tr(name + '_paper')}")
        if name == "irgan":
            st.info(tr("dns_special_case"), icon="💡")

st.subheader(tr("learn_live"))
draws = _toy_draws(0)  # a few epochs of every sampler on the toy world, computed once
toy = draws.dataset
st.caption(tr("learn_live_caption", epochs=draws.epochs))
user = st.selectbox(tr("learn_user"), range(toy.n_users), format_func=toy.user_label, key="learn_user")
fig = figures.fig_learn_draws({n: c[user] for n, c in draws.counts.items()},
                              [toy.item_label(i) for i in range(toy.n_items)], draws.positive(user),
                              draws.liked_hidden(user), user=toy.user_label(user), lang=lang)
st.plotly_chart(fig, key="learn_chart_draws", config={"displaylogo": False})
st.markdown(tr("learn_fn_share", user=toy.user_label(user)))
cols = st.columns(len(draws.counts))
for col, name in zip(cols, draws.counts):
    col.metric(sampler_label(name), f"{draws.fn_share(name, user):.0%}")
st.markdown(tr("learn_next"))
