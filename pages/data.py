"""Data: choose and inspect the dataset; the synthetic world's knobs, MovieLens, your own CSV."""

import numpy as np
import pandas as pd
import streamlit as st

from lab_ui import figures, shell, state
from lab_ui.datasets import DatasetSpec, handle_upload, load
from negsamp_core.data import DatasetNotFound, DownloadError

ctx = shell.setup("data")
lang, tr, ds = ctx.lang, ctx.t, ctx.dataset
SPLITS = {"train": "split_train", "valid": "split_valid", "test": "split_test"}

st.title("🗂️ " + tr("data_title"))
st.markdown(f"**{tr('data_current', name=shell.dataset_label(ctx.spec.kind, lang))}**")

# ---------------------------------------------------------------------------- summary
summary = ds.summary()
# three a row: at 1280 px six columns cut "validation / test" and the hidden-likes label (a newcomer's finding)
cols = st.columns(3) + st.columns(3)
cols[0].metric(tr("metric_users"), f"{summary['n_users']:,}")
cols[1].metric(tr("metric_items"), f"{summary['n_items']:,}")
cols[2].metric(tr("metric_train"), f"{summary['n_train']:,}")
cols[3].metric(tr("metric_heldout"), f"{summary['n_valid']:,} / {summary['n_test']:,}")
cols[4].metric(tr("metric_sparsity"), f"{summary['sparsity']:.2%}")
if ds.true_likes is not None:
    hidden = ds.true_likes.difference(ds.train).nnz
    cols[5].metric(tr("metric_fn"), f"{hidden:,}", help=tr("metric_fn_help"))
st.caption(tr("fn_definition_exact" if ds.false_negative_definition == "exact" else "fn_definition_heldout"))

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(
        figures.fig_long_tail(ds.item_popularity, lang=lang), key="data_chart_long_tail", config={"displaylogo": False}
    )
with right:
    st.markdown(f"##### {tr('user_history')}")
    active = np.flatnonzero(ds.train.counts > 0)[:2000]
    # keyed by the dataset: a picker kept across a dataset switch would show the old dataset's label
    user = st.selectbox(
        tr("user_pick"),
        active.tolist(),
        format_func=ds.user_label,
        key=f"data_user_{state.dataset_token(ctx.spec.key)}",
    )
    rows = []
    for split, split_key in SPLITS.items():
        for j in getattr(ds, split).row(user):
            rows.append(
                {
                    tr("history_split"): tr(split_key),
                    tr("history_item"): ds.item_label(int(j)),
                    tr("col_popularity"): int(ds.item_popularity[j]),
                }
            )
    if ds.true_likes is not None:
        known = set(ds.train.row(user)) | set(ds.held_out.row(user))
        for j in ds.true_likes.row(user):
            if j not in known:
                rows.append(
                    {
                        tr("history_split"): "★ " + tr("split_hidden"),
                        tr("history_item"): ds.item_label(int(j)),
                        tr("col_popularity"): int(ds.item_popularity[j]),
                    }
                )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=300)

# ---------------------------------------------------------------------------- choose a dataset
tab_syn, tab_ml, tab_csv = st.tabs(["🌍 " + tr("synthetic_knobs"), "🎬 MovieLens", "📄 " + tr("csv_title")])

# (canonical setting, label key, help key, low, high, step): the ranges are the URL's (state.SYNTHETIC_RANGES)
KNOBS = tuple(
    (name, name, help_key, *state.SYNTHETIC_RANGES[name])
    for name, help_key in (
        ("syn_users", None),
        ("syn_items", None),
        ("syn_density", None),
        ("syn_skew", "syn_skew_help"),
        ("syn_obs", "syn_obs_help"),
    )
)


def _build_world() -> None:
    state.request_values({**{name: state.get(f"form_{name}") for name, *_ in KNOBS}, "dataset": "synthetic"})


with tab_syn:
    st.caption(tr("synthetic_caption"))
    with st.form("synthetic_form", border=False):
        c1, c2 = st.columns(2)
        for i, (name, label, help_key, low, high, step) in enumerate(KNOBS):
            (c1 if i % 2 == 0 else c2).slider(
                tr(label),
                low,
                high,
                value=type(low)(state.get(name)),
                step=step,
                key=f"form_{name}",
                help=tr(help_key) if help_key else None,
            )
        st.form_submit_button(tr("syn_build"), on_click=_build_world, type="primary")


class _Progress:
    """pooch progress-bar protocol (total, update, reset, close) drawn with st.progress."""

    def __init__(self, label: str):
        self.bar, self.label, self.total, self.n = st.progress(0.0, text=label), label, 0, 0

    def update(self, n):
        self.n += n
        self.bar.progress(min(1.0, self.n / self.total) if self.total else 0.0, text=self.label)

    def reset(self):
        self.n = 0

    def close(self):
        self.bar.progress(1.0, text=self.label)


with tab_ml:
    st.caption(tr("movielens_caption"))
    name = st.selectbox(tr("ml_name"), ("ml-100k", "ml-latest-small"), key="data_ml_name")
    st.text_input(tr("ml_folder"), **state.bind("data_dir"))
    c1, c2 = st.columns(2)
    c1.slider(tr("ml_threshold"), 1.0, 5.0, step=0.5, **state.bind("ml_threshold"))
    if name == "ml-100k":
        splits = {"u1": tr("ml_split_u1"), "random": tr("ml_split_random")}
        c2.radio(tr("ml_split"), tuple(splits), format_func=splits.get, **state.bind("ml_split"))
    b1, b2 = st.columns(2)
    if b1.button(tr("ml_load"), key="data_ml_load", icon=":material/folder_open:"):
        state.request_values({"dataset": name})
        st.rerun()
    if b2.button(tr("ml_download"), key="data_ml_download", icon=":material/download:"):
        spec = DatasetSpec(
            kind=name,
            seed=int(state.get("seed")),
            data_dir=state.get("data_dir"),
            split=state.get("ml_split"),
            threshold=float(state.get("ml_threshold")),
        )
        try:
            load(spec, progressbar=_Progress(tr("ml_downloading", name=name)), download=True)
        except (DatasetNotFound, DownloadError, ValueError, OSError) as exc:
            st.error(str(exc))
        else:
            state.request_values({"dataset": name, "data_dir": ""})  # the download cache, not the typed folder
            st.rerun()

with tab_csv:
    st.caption(tr("csv_caption"))
    uploaded = st.file_uploader(tr("csv_upload"), type=["csv", "tsv", "txt"], key="data_csv_file")
    threshold = st.number_input(
        tr("csv_threshold"), min_value=0.0, max_value=1000.0, value=0.0, step=0.5, key="data_csv_threshold"
    )
    if st.button(tr("csv_use"), key="data_csv_use", disabled=uploaded is None, icon=":material/upload:"):
        result = handle_upload(uploaded.getvalue(), uploaded.name, threshold or None, seed=int(state.get("seed")))
        if result.error:
            st.error("⚠ " + tr("csv_error", error=result.error))
        else:
            state.add_uploaded_csv(result.digest, result.dataset)
            state.request_values({"dataset": "csv", "csv_digest": result.digest, "csv_name": uploaded.name})
            st.rerun()
    if ctx.spec.kind == "csv":
        st.success(tr("csv_loaded", name=state.get("csv_name"), users=ds.n_users, items=ds.n_items, n=ds.train.nnz))
shell.page_drawn()
