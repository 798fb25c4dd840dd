"""The shared shell every page calls first: page config, canonical settings, the URL, the current
dataset (with fallback to the previous one when loading fails) and the identical sidebar
(translated navigation, dataset, seed, language).

Pages use Streamlit's classic ``pages/`` discovery (the automatic sidebar list is hidden in
``.streamlit/config.toml``), so a direct link such as ``/compare`` runs the shell on a fresh server.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import threading
from dataclasses import dataclass

import streamlit as st
import torch

from negsamp_core.data import Dataset, DatasetNotFound, DownloadError
from negsamp_core.samplers import SAMPLERS

from . import present, state
from .datasets import KINDS, DatasetSpec, load, synthetic_tuple
from .i18n import LANG_NAMES, LANGS, _m, register, sampler_label, t
from .scheduler import SCHEDULER, fix_mmap_threshold, start_housekeeping

__all__ = [
    "Ctx",
    "setup",
    "page_drawn",
    "stop",
    "configure_process",
    "dataset_label",
    "current_spec",
    "get_dataset",
    "LOAD_ERRORS",
]

DATASET_KEYS = {
    "synthetic": "dataset_synthetic",
    "toy": "dataset_toy",
    "ml-100k": "dataset_ml-100k",
    "ml-latest-small": "dataset_ml-latest-small",
    "csv": "dataset_csv",
}
LOAD_ERRORS = (ValueError, DatasetNotFound, DownloadError, OSError)
PAGES = (
    ("app.py", "nav_learn", "📖"),
    ("pages/lessons.py", "nav_lessons", "🎓"),
    ("pages/playground.py", "nav_playground", "🔬"),
    ("pages/compare.py", "nav_compare", "📊"),
    ("pages/data.py", "nav_data", "🗂️"),
)
register("lab_ui.shell", {"nav_lessons": _m("Lessons", "课程")})


@dataclass
class Ctx:
    """What a page needs from the shell."""

    page: str
    lang: str
    dataset: Dataset
    spec: DatasetSpec

    def t(self, key: str, **fields) -> str:
        return t(key, self.lang, **fields)


COLLECT_EVERY_S = 30.0  # full garbage collection + malloc_trim
EXPIRE_EVERY_S = 5.0  # drop expired disconnected sessions (cheap), collect at once if any went


@functools.cache
def configure_process() -> None:
    """Process-wide settings of the app server, applied once by the first page that runs (never on import).

    One server serves a whole class: one torch thread per training, so sessions do not fight for
    cores. The first torch optimiser of a process imports torch._dynamo (~2 s here): pay it when the
    first page renders, not when the first student presses Play. A housekeeping thread collects
    cyclic garbage and gives freed memory back to the OS every 30 s (a full collection of the
    server's heap took ~0.8 s with 15 sessions: at a 10 s period that was 8 % of its CPU; the objects
    loaded before the first page are frozen out of it with ``gc.freeze``), and drops the expired
    disconnected sessions every 5 s, collecting at once when it dropped some (so a class's memory
    comes back within TTL + 5 s, not TTL + 30 s). This first page's own session is frozen too: the
    collection after sessions expired thaws the heap first, and freezes it again once no session is left
    (:func:`lab_ui.scheduler.start_housekeeping`; Streamlit's collection after every run is off).
    """
    torch.set_num_threads(1)
    fix_mmap_threshold()  # freed large blocks go back to the OS at once (see its docstring)
    torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.0)
    gc.collect()
    gc.freeze()  # modules and caches loaded so far never become garbage: full collections skip them
    start_housekeeping(
        every_s=COLLECT_EVERY_S, extra=(expire_disconnected_sessions,), tick_s=EXPIRE_EVERY_S, idle=server_is_empty
    )


def expire_sessions(storage, lock=None) -> int:
    """Drop the expired entries of Streamlit's store of disconnected sessions; returns how many are left.

    ``storage`` is Streamlit's ``MemorySessionStorage``: its TTL cache marks a session expired after
    ``server.disconnectedSessionTTL`` but removes it only at its next write, so after a class left
    (nobody connecting any more) every student's run stayed in memory for good."""
    cache = getattr(storage, "_cache", None)
    if cache is None or not hasattr(cache, "expire"):
        return -1
    with lock if lock is not None else contextlib.nullcontext():
        cache.expire()
        return len(cache)


def _stored_count(storage) -> int:
    """Entries held by the store, expired ones included (its ``len`` may hide those)."""
    cache = getattr(storage, "_cache", None)
    data = getattr(cache, "_data", None)
    if data is not None:
        return len(data)
    try:
        return len(cache)
    except TypeError:
        return -1


def drop_expired_sessions(storage, lock=None) -> int:
    """:func:`expire_sessions`, returning how many sessions it dropped (0 if it cannot tell)."""
    before = _stored_count(storage)
    if expire_sessions(storage, lock) < 0 or before < 0:
        return 0
    return max(0, before - _stored_count(storage))


def expire_disconnected_sessions(timeout_s: float = 5.0) -> int:
    """:func:`expire_sessions` on this server's session store, run on the server's event loop (the
    store is not thread-safe); returns how many sessions it dropped (0 when none, or when this
    Streamlit has not the private objects it looks up defensively: then it does nothing)."""
    from streamlit import runtime

    if not runtime.exists():
        return 0
    rt = runtime.get_instance()
    manager = getattr(rt, "_session_mgr", None)
    storage = getattr(manager, "_session_storage", None)
    loop = getattr(getattr(rt, "_async_objs", None), "eventloop", None)
    if storage is None or loop is None:
        return 0
    done = threading.Event()
    dropped = [0]

    def _on_loop() -> None:
        try:
            dropped[0] = drop_expired_sessions(storage, getattr(manager, "_storage_lock", None))
        finally:
            done.set()

    loop.call_soon_threadsafe(_on_loop)
    done.wait(timeout_s)
    return dropped[0]


def server_is_empty() -> bool:
    """True when this server holds no session at all (none connected, none kept for reconnection).
    False when it cannot tell (private Streamlit objects, looked up defensively)."""
    from streamlit import runtime

    if not runtime.exists():
        return False
    manager = getattr(runtime.get_instance(), "_session_mgr", None)
    active = getattr(manager, "_active_session_info_by_id", None)
    stored = _stored_count(getattr(manager, "_session_storage", None))
    if active is None or stored < 0:
        return False
    return len(active) == 0 and stored == 0


def current_spec() -> DatasetSpec:
    get = state.get
    return DatasetSpec(
        kind=get("dataset"),
        seed=int(get("seed")),
        synthetic=synthetic_tuple(
            n_users=int(get("syn_users")),
            n_items=int(get("syn_items")),
            density=float(get("syn_density")),
            popularity_skew=float(get("syn_skew")),
            observation_rate=float(get("syn_obs")),
        ),
        data_dir=get("data_dir") or "",
        split=get("ml_split"),
        threshold=float(get("ml_threshold")),
        csv_digest=get("csv_digest"),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _load_cached(spec: DatasetSpec) -> Dataset:
    return load(spec)


def get_dataset(spec: DatasetSpec) -> Dataset:
    """The dataset of ``spec``: session memo, then the server cache, then the loader.

    Raises:
        ValueError, DatasetNotFound, DownloadError: loading failed.
    """
    memo = state.dataset_memo()
    if spec.key in memo:
        return memo[spec.key]
    if spec.kind == "csv":
        uploaded = state.uploaded_csvs()
        if spec.csv_digest not in uploaded:
            raise ValueError("no CSV file has been uploaded in this session")
        dataset = uploaded[spec.csv_digest]
    else:
        dataset = _load_cached(spec)
    if len(memo) >= 4:
        memo.pop(next(iter(memo)))
    memo[spec.key] = dataset
    return dataset


def dataset_label(kind: str, lang: str) -> str:
    if kind == "csv":
        return t("dataset_csv", lang, name=state.get("csv_name") or "csv")
    return t(DATASET_KEYS[kind], lang)


def _resolve_dataset(lang: str) -> tuple[Dataset, DatasetSpec]:
    spec = current_spec()
    try:
        dataset = get_dataset(spec)
    except LOAD_ERRORS as exc:
        previous = state.good_spec() or DatasetSpec()
        state.set_dataset_error(
            t(
                "dataset_failed",
                lang,
                name=dataset_label(spec.kind, lang),
                previous=dataset_label(previous.kind, lang),
                error=(
                    t("dataset_not_found_app", lang, places="; ".join(line.strip(" -") for line in exc.looked))
                    if isinstance(exc, DatasetNotFound)
                    else f"{exc}"
                ),
            )
        )
        if previous.kind != spec.kind:
            state.set_value("dataset", previous.kind)
            state.reset_training_defaults(previous.kind)
        spec = previous
        dataset = get_dataset(spec)
    state.set_good_spec(spec)
    return dataset, spec


def _apply_pending() -> None:
    """Apply dataset choices made by buttons on the Data page (written before a rerun)."""
    pending = state.pop_requested()
    if not pending:
        return
    if pending.get("dataset") and pending["dataset"] != state.get("dataset"):
        state.reset_training_defaults(pending["dataset"])
    for key, value in pending.items():
        state.set_value(key, value)


def _after_dataset_change() -> None:
    state.reset_training_defaults(state.get("dataset"))


# Every page: a page link's label wraps instead of being cut with an ellipsis (Streamlit 1.67 sets
# white-space: nowrap on it; at 1280 px the lesson links in the Learn page's cards were cut), and a
# formula wider than its card scrolls inside it rather than being clipped.
_CSS = """<style>
[data-testid="stPageLink-NavLink"] span, [data-testid="stPageLink-NavLink"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stPageLink-NavLink"] { height: auto !important; }
.stLatex, [data-testid="stLatex"] { overflow-x: auto; max-width: 100%; }
</style>"""


def page_drawn() -> None:
    """Call last on every page: this session's page is drawn, other sessions' training turns may start
    again (:meth:`lab_ui.scheduler.Scheduler.page_started`; a page that stops early is forgotten after
    a few seconds)."""
    SCHEDULER.page_drawn(state.session_id())


def stop() -> None:
    """``st.stop()`` for a page that ends early: says the page is drawn first (:func:`page_drawn`)."""
    page_drawn()
    st.stop()


def setup(page: str, page_settings: list | None = None) -> Ctx:
    """Run the shell: call first on every page. ``page_settings`` are the page's own URL settings.

    In presentation mode (``?present=1``, :mod:`lab_ui.present`) there is no sidebar: the URL
    carries the language, dataset and seed.
    """
    configure_process()
    SCHEDULER.page_started(state.session_id())  # pages first: see page_drawn()
    presenting = present.on()
    st.set_page_config(
        page_title="Negative Sampling Lab",
        page_icon="🎯",
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "expanded",
    )
    st.html(_CSS)
    if presenting:
        present.style()
    shared = state.shared_settings()
    state.ensure(shared)
    settings = shared + list(page_settings or [])
    state.ensure(settings)
    bad = state.apply_query_params(settings, page)
    _apply_pending()
    lang = state.get("lang")
    dataset, spec = _resolve_dataset(lang)
    if not presenting:
        _sidebar(lang)
    state.write_query_params(settings, page)
    if bad:
        st.warning(t("bad_url_params", lang, params=", ".join(bad)))
    adjusted = state.pop_adjusted_params()
    if adjusted:  # one notice: which parameter, the value given, the value used, what is allowed
        items = "; ".join(
            t("url_adjusted_item", lang, name=name, raw=raw, value=value, allowed=allowed)
            for name, raw, value, allowed in adjusted
        )
        st.warning(t("url_adjusted", lang, items=items))
    error = state.pop_dataset_error()
    if error:
        st.error(error)
    if dataset.valid.nnz == 0 or dataset.test.nnz == 0:
        st.warning(t("no_held_out", lang, valid=dataset.valid.nnz, test=dataset.test.nnz))
    return Ctx(page=page, lang=lang, dataset=dataset, spec=spec)


def _sidebar(lang: str) -> None:
    with st.sidebar:
        st.markdown(f"### 🎯 {t('app_title', lang)}")
        st.caption(t("app_tagline", lang))
        for path, key, icon in PAGES:
            st.page_link(path, label=t(key, lang), icon=icon, query_params={"lang": lang} if lang != "en" else None)
        st.divider()
        kinds = [k for k in KINDS if k != "csv" or state.get("csv_digest")]
        if state.get("dataset") not in kinds:
            state.set_value("dataset", "synthetic")
        labels = {k: dataset_label(k, lang) for k in kinds}
        st.selectbox(
            t("sidebar_dataset", lang),
            kinds,
            format_func=labels.get,
            help=t("sidebar_dataset_help", lang),
            **state.bind("dataset", then=_after_dataset_change),
        )
        st.number_input(
            t("sidebar_seed", lang),
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            help=t("sidebar_seed_help", lang),
            **state.bind("seed"),
        )
        st.radio(t("sidebar_language", lang), LANGS, format_func=LANG_NAMES.get, horizontal=True, **state.bind("lang"))
        st.divider()
        st.caption("🔗 " + t("sidebar_share", lang))
        st.caption(t("sidebar_about", lang, samplers=", ".join(sampler_label(n) for n in SAMPLERS)))
