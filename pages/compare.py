"""Compare: the chosen samplers (and variants of one sampler) trained side by side from the same
seed, model and batches."""

import streamlit as st

from lab_ui import figures, player, present, shell, state
from lab_ui.i18n import sampler_label
from lab_ui.runs import history_csv, history_json, results_frame, run_tests
from lab_ui.widgets import CHART, legend_html, sampler_params, training_settings, variants_editor
from negsamp_core.samplers import SAMPLERS

P = "cmp"
ctx = shell.setup("compare", state.page_settings(P, multi=True))
lang, tr = ctx.lang, ctx.t

st.title("📊 " + tr("compare_title"))
PRESENT = present.on()  # presentation mode (?present=1): no settings, big charts, one at a time
if not PRESENT:
    st.markdown(tr("compare_intro"))

if not PRESENT:
    st.multiselect(
        tr("samplers"),
        tuple(SAMPLERS),
        format_func=sampler_label,
        help=tr("samplers_help"),
        **state.bind(f"{P}_samplers"),
    )
chosen = [n for n in SAMPLERS if n in state.get(f"{P}_samplers")]
if PRESENT:  # the URL's variants, without the editor
    try:
        variants = state.variant_arms(state.get(f"{P}_arms", ""))
    except ValueError:
        variants = []
else:
    variants = variants_editor(P, lang)
tuned = list(dict.fromkeys(chosen + [a.sampler for a in variants if SAMPLERS[a.sampler].PARAMS]))
COLUMNS = {
    "sampler": "col_sampler",
    "loss": "col_loss",
    "best_epoch": "col_best_epoch",
    "valid_ndcg": "col_valid_ndcg",
    "valid_recall": "col_valid_recall",
    "test_ndcg": "col_test_ndcg",
    "test_recall": "col_test_recall",
    "fn_rate": "col_fn_rate",
    "hardness": "col_hardness",
    "neg_pop": "col_neg_pop",
    "sec_epoch": "col_sec_epoch",
    "sample_share": "col_sample_share",
    "scores_epoch": "col_scores_epoch",
}

if not PRESENT:
    st.caption(tr("settings_caption"))
    c1, c2 = st.columns(2)
    with c1.expander("⚙️ " + tr("settings"), expanded=False):
        training_settings(P, lang)
    with c2.expander("🎛️ " + tr("sampler_params", sampler=", ".join(sampler_label(n) for n in tuned) or "—")):
        if tuned:
            for tab, name in zip(st.tabs([sampler_label(n) for n in tuned]), tuned):
                with tab:
                    sampler_params(P, name, lang)

if not chosen and not variants:
    st.warning(tr("need_sampler"))
    shell.stop()

spec = player.build_spec(P, chosen + variants, ctx.spec.key, ctx.spec.seed)
run = player.ensure_run(P, ctx.dataset, spec, lang)
(present.controls if PRESENT else player.controls)(P, run, lang)
if run is None:
    shell.stop()

STYLES = figures.arm_styles(run.arms.values())
if not PRESENT:
    st.markdown(legend_html(list(run.trainers), lang, STYLES), unsafe_allow_html=True)
    x_mode = st.radio(
        tr("x_axis"),
        ("epoch", "seconds"),
        horizontal=True,
        key=f"{P}_xmode",
        format_func=lambda x: tr("x_epoch" if x == "epoch" else "x_seconds"),
    )
else:
    x_mode = "epoch"


def _figures(run, lang: str, x_mode: str, playing: bool) -> dict:
    """All Compare figures, rebuilt only when an epoch completed (and at most every 1.5 s while playing)."""
    version = player.FigureVersion.of(run, lang, x_mode, run.spec.config.epochs)
    return player.cached(f"{P}_figcache", version, lambda: _build_figures(run, lang, x_mode), playing)


def _build_figures(run, lang: str, x_mode: str) -> dict:
    h, trainer = run.histories, next(iter(run.trainers.values()))
    epochs, k = run.spec.config.epochs, run.spec.config.eval_k
    figs = {
        "convergence": figures.fig_convergence(h, k, x=x_mode, epochs=epochs, lang=lang, styles=STYLES),
        "scores": figures.fig_score_hists(h, trainer.score_edges, lang=lang, styles=STYLES),
        "hardness": figures.fig_hardness(h, epochs=epochs, lang=lang, styles=STYLES),
        "fn": figures.fig_fn_rate(h, run.dataset.false_negative_definition, epochs=epochs, lang=lang, styles=STYLES),
        "popularity": figures.fig_popularity(h, trainer.popularity_edges, epochs=epochs, lang=lang, styles=STYLES),
        "cost": figures.fig_cost(h, lang=lang, styles=STYLES),
    }
    return figs


def _results(run, lang: str):
    """The results table; test metrics only once the run is finished (cached per run)."""
    cols = {c: tr(key, k=run.spec.config.eval_k) for c, key in COLUMNS.items()}
    version = player.FigureVersion.of(run, lang, done=True)
    # the epochs are in the counter; "best epoch" says more
    return player.cached(
        f"{P}_tablecache",
        version,
        lambda: results_frame(run, cols, test=run.done).drop(columns=["epochs"], errors="ignore"),
        False,
    )


# The results in two tables of at most seven columns, each with the sampler first: twelve columns were
# wider than the page at 1280 px (a horizontal scroll); seven fit at 1280 px and at 1600 px presenting.
TABLE_GROUPS = (
    ("loss", "best_epoch", "valid_ndcg", "valid_recall", "test_ndcg", "test_recall"),
    ("fn_rate", "hardness", "neg_pop", "sec_epoch", "sample_share", "scores_epoch"),
)
FORMATS = {
    "best_epoch": "%d",
    "neg_pop": "%.1f",
    "sec_epoch": "%.2f",
    "scores_epoch": "localized",
    "fn_rate": "percent",
    "sample_share": "percent",
}


def _tables(table, eval_k: int) -> None:
    """The results table as two tables (quality; negatives and cost), numbers formatted per column."""
    first = table.columns[0]
    label = {c: tr(key, k=eval_k) for c, key in COLUMNS.items()}
    for group in TABLE_GROUPS:
        names = [label.get(c, c) for c in group if label.get(c, c) in table.columns]
        if not names:
            continue
        part = table[[first, *names]]
        config = {c: st.column_config.NumberColumn(format="%.3f") for c in names if part[c].dtype.kind == "f"}
        config.update(
            {label[c]: st.column_config.NumberColumn(format=f) for c, f in FORMATS.items() if label.get(c) in names}
        )
        config[first] = st.column_config.TextColumn(pinned=True)
        st.dataframe(part, hide_index=True, width="stretch", column_config=config)


def _chart(figs: dict, name: str) -> None:
    """One chart (stable key, PNG export in the modebar) with its one-line "how to read this"."""
    st.plotly_chart(figs[name], key=f"{P}_chart_{name}", config=CHART)
    st.caption(figures.how_to_read(name, lang))


def _csv(run):
    """The history CSV, built when the learner clicks (a callable: Streamlit 1.67 runs it on the
    download request). Once the run is finished it has the test metrics at each arm's best epoch.
    Regression: both downloads were built at every chart refresh (the JSON grows ~14 KB per epoch and
    Streamlit's media store kept two copies per session: a large part of the server's memory growth)."""
    return lambda: history_csv(run.histories, run_tests(run) if run.done else None)


def draw_present(run, playing: bool) -> None:
    """Presentation mode: one big chart at a time (Previous / Next), the results table last."""
    figs = _figures(run, lang, x_mode, playing)
    slides = [
        (
            tr(title),
            lambda name=name: st.plotly_chart(
                present.big(figs[name]), key=f"{P}_chart_{name}", config={"displaylogo": False}
            ),
        )
        for name, title in (
            ("convergence", "sec_convergence"),
            ("scores", "sec_hardness"),
            ("hardness", "sec_hardness"),
            ("fn", "sec_bias"),
            ("popularity", "sec_bias"),
            ("cost", "sec_cost"),
        )
    ]
    slides.append((tr("sec_results"), lambda: _tables(_results(run, lang), run.spec.config.eval_k)))
    present.deck(P, slides, lang)


def draw(run, playing: bool) -> None:
    if PRESENT:
        draw_present(run, playing)
        return
    figs = _figures(run, lang, x_mode, playing)
    st.subheader("① " + tr("sec_convergence"))
    _chart(figs, "convergence")
    st.subheader("② " + tr("sec_hardness"))
    st.caption(tr("hardness_explain"))
    _chart(figs, "scores")
    _chart(figs, "hardness")
    st.subheader("③ " + tr("sec_bias"))
    _chart(figs, "fn")
    _chart(figs, "popularity")
    st.subheader("④ " + tr("sec_cost"))
    _chart(figs, "cost")
    st.subheader("⑤ " + tr("sec_results"))
    table = _results(run, lang)
    if table.empty:
        st.caption(tr("results_empty"))
        return
    st.caption(tr("results_caption", k=run.spec.config.eval_k))
    _tables(table, run.spec.config.eval_k)
    d1, d2 = st.columns(2)
    d1.download_button(
        tr("download_csv"),
        _csv(run),
        file_name="negsamp_history.csv",
        mime="text/csv",
        key=f"{P}_download_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    d2.download_button(
        tr("download_json"),
        lambda: history_json(run),  # built on click (see _csv)
        file_name="negsamp_history.json",
        mime="application/json",
        key=f"{P}_download_json",
        on_click="ignore",
        icon=":material/download:",
    )


player.live(P, lang, draw)
shell.page_drawn()
