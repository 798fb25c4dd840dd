"""Playground: one sampler in depth (its settings, live charts, the last step, its internals and code).

Rendering only: the step table comes from `lab_ui.step_view`, the internals panel and the code to
show from the sampler's view (`lab_ui.sampler_views`).
"""

import pandas as pd
import streamlit as st
import torch

from lab_ui import figures, player, present, shell, state
from lab_ui.i18n import item_name, sampler_label, user_name
from lab_ui.sampler_views import view_for
from lab_ui.step_view import step_rows, step_users
from lab_ui.widgets import CHART, code_expander, internals_panel, sampler_params, training_settings
from negsamp_core.samplers import SAMPLERS

P = "pg"
ctx = shell.setup("playground", state.page_settings(P, multi=False))
lang, tr = ctx.lang, ctx.t

st.title("🔬 " + tr("playground_title"))
PRESENT = present.on()  # presentation mode (?present=1): no settings, big charts, one at a time
if not PRESENT:
    st.markdown(tr("playground_intro"))
    st.radio(tr("sampler"), tuple(SAMPLERS), format_func=sampler_label, horizontal=True, **state.bind(f"{P}_sampler"))
name = state.get(f"{P}_sampler")

if not PRESENT:
    st.caption(tr("settings_caption"))
    c1, c2 = st.columns(2)
    with c1.expander("⚙️ " + tr("settings"), expanded=False):
        training_settings(P, lang)
    with c2.expander("🎛️ " + tr("sampler_params", sampler=sampler_label(name)), expanded=True):
        sampler_params(P, name, lang)

spec = player.build_spec(P, [name], ctx.spec.key, ctx.spec.seed)
run = player.ensure_run(P, ctx.dataset, spec, lang)
(present.controls if PRESENT else player.controls)(P, run, lang)
if run is None:
    shell.stop()


def _build_figures(run, lang: str) -> dict:
    h, trainer = run.histories, next(iter(run.trainers.values()))
    epochs = run.spec.config.epochs
    return {
        "convergence": figures.fig_convergence(h, run.spec.config.eval_k, epochs=epochs, lang=lang, height=340),
        "scores": figures.fig_score_hists(h, trainer.score_edges, lang=lang, height=320),
        "fn": figures.fig_fn_rate(h, run.dataset.false_negative_definition, epochs=epochs, lang=lang, height=320),
        "hardness": figures.fig_hardness(h, epochs=epochs, lang=lang, height=320),
    }


def draw(run, playing: bool) -> None:
    version = player.FigureVersion.of(run, lang, run.spec.config.epochs)
    figs = player.cached(f"{P}_figcache", version, lambda: _build_figures(run, lang), playing)
    if PRESENT:  # one big chart at a time
        present.deck(
            P,
            [
                (
                    figs[n].layout.title.text.split("<br>")[0] or n,
                    lambda n=n: st.plotly_chart(present.big(figs[n]), key=f"{P}_chart_{n}", config=CHART),
                )
                for n in ("convergence", "scores", "fn", "hardness")
            ],
            lang,
        )
        return
    st.plotly_chart(figs["convergence"], key=f"{P}_chart_convergence", config=CHART)
    st.caption(figures.how_to_read("convergence", lang))
    st.plotly_chart(figs["scores"], key=f"{P}_chart_scores", config=CHART)
    st.caption(figures.how_to_read("scores", lang))
    a, b = st.columns(2)
    a.plotly_chart(figs["fn"], key=f"{P}_chart_fn", config=CHART)
    a.caption(figures.how_to_read("fn", lang))
    b.plotly_chart(figs["hardness"], key=f"{P}_chart_hardness", config=CHART)
    b.caption(figures.how_to_read("hardness", lang))


if not PRESENT:
    st.subheader(tr("live_charts"))
player.live(P, lang, draw)
if PRESENT:
    shell.stop()

# ---------------------------------------------------------------------------- step view
st.subheader("🔎 " + tr("step_view"))
run_name, trainer = next(iter(run.trainers.items()))
sampler, dataset, view = trainer.sampler, run.dataset, view_for(run_name)
users = step_users(sampler.last)
if state.is_playing(P):
    st.caption(tr("step_view_playing"))
elif not users.size:
    st.caption(tr("step_view_empty"))
else:
    user = st.selectbox(
        tr("step_user"),
        users.tolist(),
        format_func=lambda u: user_name(dataset, u, lang),
        key=f"{P}_step_user",
        help=tr("step_user_help"),
    )
    user = user if user in users else int(users[0])
    scores = trainer.scorer.peek_all(torch.tensor([user]))[0].numpy()
    table = pd.DataFrame(
        [
            {
                tr("col_positive"): item_name(dataset, r.positive, lang),
                tr("col_negative"): item_name(dataset, r.negative, lang),
                tr("col_score_pos"): r.score_pos,
                tr("col_score_neg"): r.score_neg,
                tr("col_gradient"): r.gradient,
                tr("col_popularity"): r.popularity,
                tr("col_false_negative"): tr("yes") if r.false_negative else tr("no"),
            }
            for r in step_rows(sampler.last, user, scores, dataset)
        ]
    )
    st.caption(tr("step_table_caption", user=user_name(dataset, user, lang)))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.3f")
            for c in (tr("col_score_pos"), tr("col_score_neg"), tr("col_gradient"))
        },
    )

    st.markdown(f"##### ⚙️ {tr('internals', sampler=view.label)}")
    others = [int(u) for u in users if u != user]
    internals_panel(
        view.internals(sampler, trainer.scorer, dataset, [user, *others], lang=lang),
        key=f"{P}_chart_{run_name}",
        empty=tr("internals_none", sampler=view.label),
    )

code_expander(view, lang)
shell.page_drawn()
