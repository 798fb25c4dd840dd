"""Session state of the app: the one module that names session-state keys.

Everything a page keeps between reruns is read and written through the accessors here: canonical
settings and the widgets bound to them, the URL, each training page's run and player state, figure
caches, and the dataset bookkeeping of the shell (memo, uploads, pending choices). Other modules
never index ``st.session_state`` themselves (widget ``key=`` names are the only exception: they
are identifiers Streamlit owns).

* Every setting has a **canonical** session key (a plain key, never a widget key, so it survives
  page switches) and optionally a short **URL** name. Widgets use a shadow key ``w_<name>``
  initialised from the canonical value and copied back by ``on_change``.
* :func:`apply_query_params` reads the page's URL into the canonical values, but only parameters
  that differ from what this session last wrote (so a widget change is never undone by the stale
  URL, and a pasted link is applied). :func:`write_query_params` writes non-default values back,
  which makes the address a shareable link to the experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import streamlit as st

from negsamp_core.arms import encode_arms, parse_arms
from negsamp_core.samplers import SAMPLERS

from .datasets import KINDS, default_data_dir
from .i18n import LANGS, arm_label
from .runs import LiveRun, train_defaults

__all__ = [
    "Setting",
    "ensure",
    "bind",
    "set_value",
    "get",
    "shared_settings",
    "page_settings",
    "apply_query_params",
    "write_query_params",
    "LR_OPTIONS",
    "DIM_OPTIONS",
    "BATCH_OPTIONS",
    "reset_training_defaults",
    "is_boolean",
    "run",
    "set_run",
    "is_playing",
    "set_playing",
    "speed",
    "failed_build",
    "set_failed_build",
    "clear_failed_build",
    "set_notice",
    "pop_notice",
    "CacheEntry",
    "cache_entry",
    "set_cache_entry",
    "dataset_memo",
    "uploaded_csvs",
    "add_uploaded_csv",
    "good_spec",
    "set_good_spec",
    "set_dataset_error",
    "pop_dataset_error",
    "request_values",
    "pop_requested",
    "arms_text",
    "variant_arms",
    "session_id",
    "dataset_token",
    "KEEP_UPLOADS",
]

LR_OPTIONS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
DIM_OPTIONS = (2, 4, 8, 16, 32, 64, 128)
BATCH_OPTIONS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
TRAIN_KEYS = ("epochs", "lr", "dim", "batch", "k", "topk")


SEED_MAX = 2**31 - 1  # the sidebar's seed box (and numpy's seeds) take 0 .. 2**31 - 1
# Ranges of the synthetic world's knobs (the Data page's sliders use them too): a URL outside them is refused.
SYNTHETIC_RANGES = {
    "syn_users": (20, 3000, 10),
    "syn_items": (20, 5000, 10),
    "syn_density": (0.005, 0.3, 0.005),
    "syn_skew": (0.0, 2.5, 0.1),
    "syn_obs": (0.05, 1.0, 0.05),
}
THRESHOLD_RANGE = (1.0, 5.0)
# What a URL value may raise while parsed: each is reported as a notice, never a traceback.
PARSE_ERRORS = (TypeError, ValueError, OverflowError, ArithmeticError)


def _finite(raw: str) -> float:
    """A finite float from a URL value (``nan``, ``inf``, 5,000 nines and words raise ValueError)."""
    if len(raw) > 40:
        raise ValueError("too long")
    value = float(raw)
    if not np.isfinite(value):
        raise ValueError("not finite")
    return value


def _snap(options):
    def parse(raw: str):
        value = _finite(raw)
        return min(options, key=lambda o: abs(o - value))

    parse.allowed = ", ".join(f"{o:g}" for o in options)  # named in the notice when a URL value is replaced
    return parse


def _int_range(low: int, high: int):
    """An integer within [low, high]; anything else is refused (the widget could not show it)."""

    def parse(raw: str) -> int:
        value = _finite(raw)
        if value != int(value) or not low <= value <= high:
            raise ValueError(f"outside {low}..{high}")
        return int(value)

    return parse


def _float_range(low: float, high: float, integer: bool = False):
    """A number within [low, high] (refused outside: a link should not silently mean something else)."""

    def parse(raw: str):
        value = _finite(raw)
        if not low <= value <= high:
            raise ValueError(f"outside {low:g}..{high:g}")
        return int(round(value)) if integer else value

    return parse


def _clamped(low, high, integer: bool):
    def parse(raw: str):
        value = min(max(_finite(raw), low), high)
        return int(round(value)) if integer else value

    parse.allowed = f"{low:g}–{high:g}"  # named in the notice when a URL value is clamped
    return parse


PLAYGROUND_DEFAULT = "dns"  # the Playground opens on DNS (its internals show the idea best); any sampler works


def _list(raw: str) -> list:
    if raw == NO_SAMPLERS:
        return []
    names = list(dict.fromkeys(n for n in raw.split(",") if n in SAMPLERS))
    if not names:
        raise ValueError(raw)
    return names


NO_SAMPLERS = "none"  # samplers=none: Compare races variants only (arms=...)


def _fmt_list(names) -> str:
    return ",".join(names) or NO_SAMPLERS


def arms_text(raw: str) -> str:
    """The normalised text form of the variant arms in ``raw`` (``dns:candidates=1;dns:candidates=8``).

    Raises:
        ValueError: malformed text, unknown sampler or parameter, or a value out of range.
    """
    return encode_arms(parse_arms(raw, label=arm_label))


def variant_arms(text: str) -> list:
    """The variant :class:`~negsamp_core.arms.Arm` list of a page's ``<prefix>_arms`` text ([] when empty)."""
    return parse_arms(text, label=arm_label) if text else []


def _choice(options):
    def parse(raw: str):
        if raw not in options:
            raise ValueError(raw)
        return raw

    return parse


def _bool(raw: str) -> bool:
    if raw.lower() in ("1", "true", "on", "yes"):
        return True
    if raw.lower() in ("0", "false", "off", "no"):
        return False
    raise ValueError(raw)


def is_boolean(spec) -> bool:
    """An on/off sampler option (``ParamSpec.boolean``, when the core has it): a checkbox."""
    return bool(getattr(spec, "boolean", False))


def _param_setting(prefix: str, name: str, spec) -> Setting:
    key, url = f"{prefix}_{name}_{spec.name}", f"{name}.{spec.name}"
    if is_boolean(spec):
        return Setting(key, url, _const(bool(spec.default)), _bool, lambda v: "1" if v else "0")
    default = int(spec.default) if spec.integer else float(spec.default)
    return Setting(key, url, _const(default), _clamped(spec.low, spec.high, spec.integer), lambda v: f"{v:g}")


@dataclass(frozen=True)
class Setting:
    """A canonical setting: session key ``name``, URL parameter ``url`` (None: not in the URL)."""

    name: str
    url: str | None
    default: Callable[[], Any]
    parse: Callable[[str], Any] = str
    fmt: Callable[[Any], str] = str


def _const(value):
    return lambda: value


def shared_settings() -> list[Setting]:
    """Settings of the shared sidebar and the dataset (same on every page)."""
    return [
        Setting("lang", "lang", _const("en"), _choice(LANGS)),
        Setting("dataset", "dataset", _const("synthetic"), _choice(KINDS)),
        Setting("seed", "seed", _const(0), _int_range(0, SEED_MAX)),
        Setting("syn_users", "users", _const(400), _int_range(*SYNTHETIC_RANGES["syn_users"][:2])),
        Setting("syn_items", "items", _const(1000), _int_range(*SYNTHETIC_RANGES["syn_items"][:2])),
        Setting("syn_density", "density", _const(0.05), _float_range(*SYNTHETIC_RANGES["syn_density"][:2])),
        Setting("syn_skew", "skew", _const(1.0), _float_range(*SYNTHETIC_RANGES["syn_skew"][:2])),
        Setting("syn_obs", "obs", _const(0.3), _float_range(*SYNTHETIC_RANGES["syn_obs"][:2])),
        Setting("ml_threshold", "threshold", _const(4.0), _float_range(*THRESHOLD_RANGE)),
        Setting("ml_split", "split", _const("u1"), _choice(("u1", "random"))),
        Setting("data_dir", None, default_data_dir),
        Setting("csv_digest", None, _const("")),
        Setting("csv_name", None, _const("")),
    ]


def page_settings(prefix: str, multi: bool) -> list[Setting]:
    """Settings of a training page (``prefix`` "cmp" or "pg"); defaults follow the dataset."""
    defaults = lambda key: (lambda: train_defaults(st.session_state.get("dataset", "synthetic"))[key])  # noqa: E731
    out = [
        Setting(f"{prefix}_epochs", "epochs", defaults("epochs"), _clamped(1, 200, True)),
        Setting(f"{prefix}_lr", "lr", defaults("lr"), _snap(LR_OPTIONS), lambda v: f"{v:g}"),
        Setting(f"{prefix}_dim", "dim", defaults("dim"), _snap(DIM_OPTIONS)),
        Setting(f"{prefix}_batch", "batch", defaults("batch"), _snap(BATCH_OPTIONS)),
        Setting(f"{prefix}_k", "k", defaults("k"), _clamped(1, 20, True)),
        Setting(f"{prefix}_topk", "topk", defaults("topk"), _clamped(1, 50, True)),
        Setting(f"{prefix}_speed", None, _const(20)),
    ]
    names = tuple(SAMPLERS)  # read at call time: a sampler registered later is served too
    if multi:
        out.append(Setting(f"{prefix}_samplers", "samplers", _const(list(names)), _list, _fmt_list))
        out.append(Setting(f"{prefix}_arms", "arms", _const(""), arms_text))  # variants of a sampler
    else:
        first = PLAYGROUND_DEFAULT if PLAYGROUND_DEFAULT in SAMPLERS else names[0]
        out.append(Setting(f"{prefix}_sampler", "sampler", _const(first), _choice(names)))
    out.extend(_param_setting(prefix, name, spec) for name in names for spec in SAMPLERS[name].PARAMS)
    return out


# ---------------------------------------------------------------------------- canonical values
def ensure(settings: list[Setting]) -> None:
    for s in settings:
        if s.name not in st.session_state:
            st.session_state[s.name] = s.default()


def get(name: str, default=None):
    return st.session_state.get(name, default)


def wkey(name: str) -> str:
    return f"w_{name}"


def bind(name: str, then: Callable[[], None] | None = None) -> dict:
    """Keyword arguments binding a widget to the canonical setting ``name`` (shadow key + copy back);
    ``then`` runs after the copy (e.g. the dataset resets both pages' training defaults)."""
    key = wkey(name)
    if key not in st.session_state:
        st.session_state[key] = st.session_state[name]
    return {"key": key, "on_change": _copy_back, "args": (name, then)}


def _copy_back(name: str, then: Callable[[], None] | None = None) -> None:
    st.session_state[name] = st.session_state[wkey(name)]
    if then is not None:
        then()


def set_value(name: str, value) -> None:
    """Set a canonical value and its widget (call before the widget is drawn in this run)."""
    st.session_state[name] = value
    st.session_state[wkey(name)] = value


def reset_training_defaults(kind: str) -> None:
    """After a dataset change: both training pages take that dataset's default settings."""
    values = train_defaults(kind)
    for prefix in ("cmp", "pg"):
        for key in TRAIN_KEYS:
            set_value(f"{prefix}_{key}", values[key])


# ---------------------------------------------------------------------------- URL
def _fmt(s: Setting, value) -> str:
    return s.fmt(value)


def apply_query_params(settings: list[Setting], page: str) -> list[str]:
    """Apply URL parameters that differ from what this session last wrote on ``page``; return bad ones."""
    written = st.session_state.setdefault(f"_qp_written_{page}", {})
    bad, adjusted = [], []
    for s in settings:
        if s.url is None or s.url not in st.query_params:
            continue
        raw = st.query_params[s.url]
        if written.get(s.url) == raw:
            continue
        try:
            value = s.parse(raw)
        except PARSE_ERRORS:
            bad.append(f"{s.url}={_shown(raw)}")
            continue
        allowed = getattr(s.parse, "allowed", None)
        if allowed is not None and not _same_number(raw, value):
            adjusted.append((s.url, _shown(raw), s.fmt(value), allowed))
        if s.name == "dataset" and value != st.session_state.get("dataset"):
            reset_training_defaults(value)
        set_value(s.name, value)
        written[s.url] = raw
    if adjusted:
        st.session_state[_ADJUSTED] = adjusted
    return bad


_ADJUSTED = "_qp_adjusted"


def _shown(raw: str) -> str:
    """A URL value as a notice quotes it: cut to 20 characters and an ellipsis beyond 24."""
    return raw if len(raw) <= 24 else raw[:20] + "…"


def _same_number(raw: str, value) -> bool:
    number = _finite(raw)
    return abs(number - float(value)) <= 1e-9 * max(1.0, abs(number))


def pop_adjusted_params() -> list[tuple[str, str, str, str]]:
    """The URL parameters of the last :func:`apply_query_params` whose value was out of range and
    replaced: (parameter, value given, value used, what is allowed). Cleared when read."""
    return st.session_state.pop(_ADJUSTED, None) or []


def write_query_params(settings: list[Setting], page: str) -> None:
    """Write every non-default URL setting (and drop default ones) so the address reproduces the page."""
    written = st.session_state.setdefault(f"_qp_written_{page}", {})
    for s in settings:
        if s.url is None:
            continue
        value = st.session_state.get(s.name)
        default = s.default()
        if value is None or value == default:
            if s.url in st.query_params:
                del st.query_params[s.url]
            written.pop(s.url, None)
            continue
        raw = _fmt(s, value)
        if st.query_params.get(s.url) != raw:
            st.query_params[s.url] = raw
        written[s.url] = raw


# ---------------------------------------------------------------------------- a training page's run
# ``prefix`` is the page's ("cmp" Compare, "pg" Playground); the keys are ``<prefix>_run`` etc.
def run(prefix: str) -> LiveRun | None:
    return st.session_state.get(f"{prefix}_run")


def set_run(prefix: str, live_run: LiveRun) -> None:
    st.session_state[f"{prefix}_run"] = live_run


def is_playing(prefix: str) -> bool:
    return bool(st.session_state.get(f"{prefix}_playing", False))


def set_playing(prefix: str, playing: bool) -> None:
    st.session_state[f"{prefix}_playing"] = bool(playing)


def session_id() -> str:
    """This browser session's id (the scheduler's queue key); "local" outside a Streamlit run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else "local"


def speed(prefix: str) -> int:
    """Batches per tick (the player's slider)."""
    return int(st.session_state.get(f"{prefix}_speed", 20))


def failed_build(prefix: str) -> tuple[dict, str] | None:
    """(identity, error) of the last settings that could not build a run, or None."""
    return st.session_state.get(f"{prefix}_failed")


def set_failed_build(prefix: str, identity: dict, error: str) -> None:
    st.session_state[f"{prefix}_failed"] = (identity, error)


def clear_failed_build(prefix: str) -> None:
    st.session_state.pop(f"{prefix}_failed", None)


def set_notice(prefix: str, text: str) -> None:
    """A one-time notice for the page's next render (e.g. why the run was reset)."""
    st.session_state[f"{prefix}_notice"] = text


def pop_notice(prefix: str) -> str | None:
    return st.session_state.pop(f"{prefix}_notice", None)


@dataclass(frozen=True)
class CacheEntry:
    """A memoised value, its version (any comparable object) and when it was built (monotonic s)."""

    version: Any
    built_at: float
    value: Any


def cache_entry(slot: str) -> CacheEntry | None:
    return st.session_state.get(slot)


def set_cache_entry(slot: str, entry: CacheEntry) -> None:
    st.session_state[slot] = entry


# ---------------------------------------------------------------------------- the shell's datasets
def dataset_memo() -> dict:
    """This session's loaded datasets, ``{spec.key: Dataset}`` (the shell bounds its size)."""
    return st.session_state.setdefault("_ds_memo", {})


def uploaded_csvs() -> dict:
    """CSV datasets uploaded in this session, ``{digest: Dataset}``."""
    return st.session_state.setdefault("_csv_datasets", {})


KEEP_UPLOADS = 2  # the current upload and at most one previous one


def add_uploaded_csv(digest: str, dataset) -> None:
    """Keep an uploaded dataset: the newest KEEP_UPLOADS stay, older ones are dropped (and their
    entries in the dataset memo with them), so uploads never pile up in a session."""
    keep_uploads(uploaded_csvs(), dataset_memo(), digest, dataset)


def keep_uploads(uploads: dict, memo: dict, digest: str, dataset) -> None:
    """:func:`add_uploaded_csv` on plain dicts (``{digest: Dataset}`` and the dataset memo)."""
    uploads.pop(digest, None)
    uploads[digest] = dataset
    while len(uploads) > KEEP_UPLOADS:
        uploads.pop(next(iter(uploads)))
    for key in [k for k in memo if k and k[0] == "csv" and k[1] not in uploads]:
        del memo[key]


def dataset_token(key: tuple) -> str:
    """A short stable token of a dataset key (for widget keys that must change with the dataset)."""
    import hashlib

    return hashlib.sha1(repr(key).encode()).hexdigest()[:10]


def good_spec():
    """The last DatasetSpec that loaded (the fallback when a new choice fails), or None."""
    return st.session_state.get("_good_spec")


def set_good_spec(spec) -> None:
    st.session_state["_good_spec"] = spec


def set_dataset_error(text: str) -> None:
    st.session_state["_dataset_error"] = text


def pop_dataset_error() -> str | None:
    return st.session_state.pop("_dataset_error", None)


def request_values(values: dict) -> None:
    """Ask the shell to set canonical ``values`` (e.g. a dataset chosen by a button) at the next run,
    before any widget is drawn."""
    st.session_state["_pending"] = dict(values)


def pop_requested() -> dict | None:
    return st.session_state.pop("_pending", None)
