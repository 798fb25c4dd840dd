"""Playground: one sampler in depth (its settings, live charts, the last step and its internals)."""

import numpy as np
import pandas as pd
import streamlit as st
import torch

from lab_ui import figures, player, shell, state
from lab_ui.i18n import sampler_label
from lab_ui.widgets import sampler_params, training_settings
from negsamp_core.samplers import SAMPLER_NAMES

P = "pg"
ctx = shell.setup("playground", state.page_settings(P, multi=False))
lang, tr = ctx.lang, ctx.t

st.title("🔬 " + tr("playground_title"))
st.markdown(tr("playground_intro"))
st.radio(tr("sampler"), SAMPLER_NAMES, format_func=sampler_label, horizontal=True, **state.bind(f"{P}_sampler"))
name = st.session_state[f"{P}_sampler"]

st.caption(tr("settings_caption"))
c1, c2 = st.columns(2)
with c1.expander("⚙️ " + tr("settings"), expanded=False):
    training_settings(P, lang)
with c2.expander("🎛️ " + tr("sampler_params", sampler=sampler_label(name)), expanded=True):
    sampler_params(P, name, lang)

spec = player.build_spec(P, [name], ctx.spec.key, ctx.spec.seed)
run = player.ensure_run(P, ctx.dataset, spec, lang)
player.controls(P, run, lang)
if run is None:
    st.stop()


def _figures(run, lang: str, playing: bool) -> dict:
    version = (id(run), tuple(len(h) for h in run.histories.values()), lang, run.spec.config.epochs)
    return player.cached(f"{P}_figcache", version, lambda: _build_figures(run, lang), playing)


def _build_figures(run, lang: str) -> dict:
    h, trainer = run.histories, next(iter(run.trainers.values()))
    epochs = run.spec.config.epochs
    figs = {"convergence": figures.fig_convergence(h, run.spec.config.eval_k, epochs=epochs, lang=lang, height=340),
            "scores": figures.fig_score_hists(h, trainer.score_edges, lang=lang, height=320),
            "fn": figures.fig_fn_rate(h, run.dataset.false_negative_definition, epochs=epochs, lang=lang, height=320),
            "hardness": figures.fig_hardness(h, epochs=epochs, lang=lang, height=320)}
    return figs


def draw(run, playing: bool) -> None:
    figs = _figures(run, lang, playing)
    st.plotly_chart(figs["convergence"], key=f"{P}_chart_convergence", config={"displaylogo": False})
    st.plotly_chart(figs["scores"], key=f"{P}_chart_scores", config={"displaylogo": False})
    a, b = st.columns(2)
    with a:
        st.plotly_chart(figs["fn"], key=f"{P}_chart_fn", config={"displaylogo": False})
    with b:
        st.plotly_chart(figs["hardness"], key=f"{P}_chart_hardness", config={"displaylogo": False})


st.subheader(tr("live_charts"))
player.live(P, lang, draw)

# ---------------------------------------------------------------------------- step view
st.subheader("🔎 " + tr("step_view"))
run_name = next(iter(run.trainers))
trainer = run.trainers[run_name]
sampler, dataset = trainer.sampler, run.dataset
last = sampler.last
if st.session_state.get(f"{P}_playing"):
    st.caption(tr("step_view_playing"))
elif "negatives" not in last:
    st.caption(tr("step_view_empty"))
else:
    users = np.unique(last["users"])[:300]
    user = st.selectbox(tr("step_user"), users.tolist(), format_func=dataset.user_label, key=f"{P}_step_user",
                        help=tr("step_user_help"))
    if user not in users:
        user = int(users[0])
    rows = np.flatnonzero(last["users"] == user)
    scores = trainer.scorer.peek_all(torch.tensor([user]))[0].numpy()
    table = []
    for r in rows:
        i = int(last["pos_items"][r])
        for j in last["negatives"][r]:
            j = int(j)
            table.append({tr("col_positive"): dataset.item_label(i), tr("col_negative"): dataset.item_label(j),
                          tr("col_score_pos"): float(scores[i]), tr("col_score_neg"): float(scores[j]),
                          tr("col_gradient"): float(1 / (1 + np.exp(scores[i] - scores[j]))),
                          tr("col_popularity"): int(dataset.item_popularity[j]),
                          tr("col_false_negative"): tr("yes") if dataset.is_false_negative(user, j) else tr("no")})
    st.caption(tr("step_table_caption", user=dataset.user_label(user)))
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.3f")
                                for c in (tr("col_score_pos"), tr("col_score_neg"), tr("col_gradient"))})

    st.markdown(f"##### ⚙️ {tr('internals', sampler=sampler_label(run_name))}")
    top = 15
    if run_name == "rns":
        n = int(sampler.uniform.n_negatives[user])
        st.markdown(tr("rns_internals", n=n, p=1 / n))
    elif run_name == "pns":
        probs = sampler.inspect(user, trainer.scorer).probabilities
        best = np.argsort(-probs)[:top]
        fig = figures.fig_pns_probabilities(
            [dataset.item_label(j) for j in best], probs[best].tolist(), dataset.item_popularity[best].tolist(),
            user=dataset.user_label(user), alpha=sampler.params["alpha"], lang=lang)
        st.plotly_chart(fig, key=f"{P}_chart_pns", config={"displaylogo": False})
        st.caption(tr("pns_explain"))
    elif run_name == "dns":
        cand, cand_scores = last.get("candidates"), last.get("candidate_scores")
        if cand_scores is None:
            st.markdown(tr("dns_m1"))
        else:
            r = rows[0]
            c, s = cand[r, 0], cand_scores[r, 0]
            fig = figures.fig_dns_candidates(
                [f"{dataset.item_label(j)} #{m + 1}" for m, j in enumerate(c)], s.tolist(), int(np.argmax(s)),
                dataset.is_false_negative(np.full(c.size, user), c).tolist(), user=dataset.user_label(user),
                lang=lang)
            st.plotly_chart(fig, key=f"{P}_chart_dns", config={"displaylogo": False})
    elif run_name == "irgan":
        info = sampler.inspect(user, trainer.scorer)
        probs, reward = info.probabilities, info.reward
        best = np.argsort(-probs)[:top]
        m1, m2 = st.columns([1, 3])
        m1.metric(tr("irgan_entropy"), f"{info.entropy:.2f} / {info.max_entropy:.2f}",
                  help=tr("irgan_entropy_help", max=info.max_entropy))
        m1.progress(min(1.0, info.entropy / max(info.max_entropy, 1e-9)))
        with m2:
            fig = figures.fig_irgan_generator(
                [dataset.item_label(j) for j in best], probs[best].tolist(), reward[best].tolist(),
                dataset.is_false_negative(np.full(best.size, user), best).tolist(),
                user=dataset.user_label(user), lang=lang)
            st.plotly_chart(fig, key=f"{P}_chart_irgan", config={"displaylogo": False})
        st.caption(tr("irgan_entropy_help", max=info.max_entropy))
    elif run_name == "srns":
        means, stds, fns, labels = [], [], [], []
        info = None
        for u in users[:80]:
            info = sampler.inspect(int(u), trainer.scorer)
            means.extend(info.history_mean.tolist())
            stds.extend(info.history_std.tolist())
            fns.extend(dataset.is_false_negative(int(u), info.memory).tolist())
            labels.extend(f"{dataset.user_label(int(u))} · {dataset.item_label(int(j))}" for j in info.memory)
        if info.n_snapshots < 2:
            st.caption(tr("srns_wait"))
        st.plotly_chart(figures.fig_srns_memory(means, stds, fns, labels, lang=lang), key=f"{P}_chart_srns",
                        config={"displaylogo": False})
        st.markdown(tr("srns_explain", n=info.n_snapshots, w=info.warmup_weight))
