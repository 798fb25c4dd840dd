"""Session state of the app: canonical settings, widgets bound to them, and the URL.

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

import streamlit as st

from negsamp_core.samplers import SAMPLER_NAMES, SAMPLERS

from .datasets import KINDS, default_data_dir
from .i18n import LANGS
from .runs import train_defaults

__all__ = ["Setting", "ensure", "bind", "set_value", "get", "shared_settings", "page_settings",
           "apply_query_params", "write_query_params", "LR_OPTIONS", "DIM_OPTIONS", "BATCH_OPTIONS",
           "reset_training_defaults"]

LR_OPTIONS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
DIM_OPTIONS = (2, 4, 8, 16, 32, 64, 128)
BATCH_OPTIONS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
TRAIN_KEYS = ("epochs", "lr", "dim", "batch", "k", "topk")


def _snap(options):
    def parse(raw: str):
        value = float(raw)
        return min(options, key=lambda o: abs(o - value))
    return parse


def _int(raw: str) -> int:
    return int(float(raw))


def _clamped(low, high, integer: bool):
    def parse(raw: str):
        value = min(max(float(raw), low), high)
        return int(round(value)) if integer else value
    return parse


def _list(raw: str) -> list:
    names = [n for n in raw.split(",") if n in SAMPLER_NAMES]
    if not names:
        raise ValueError(raw)
    return names


def _choice(options):
    def parse(raw: str):
        if raw not in options:
            raise ValueError(raw)
        return raw
    return parse


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
        Setting("seed", "seed", _const(0), _int),
        Setting("syn_users", "users", _const(400), _int),
        Setting("syn_items", "items", _const(1000), _int),
        Setting("syn_density", "density", _const(0.05), float),
        Setting("syn_skew", "skew", _const(1.0), float),
        Setting("syn_obs", "obs", _const(0.3), float),
        Setting("ml_threshold", "threshold", _const(4.0), float),
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
        Setting(f"{prefix}_speed", None, _const(20), _int),
    ]
    if multi:
        out.append(Setting(f"{prefix}_samplers", "samplers", _const(list(SAMPLER_NAMES)), _list, ",".join))
    else:
        out.append(Setting(f"{prefix}_sampler", "sampler", _const("dns"), _choice(SAMPLER_NAMES)))
    for name in SAMPLER_NAMES:
        for spec in SAMPLERS[name].PARAMS:
            default = int(spec.default) if spec.integer else float(spec.default)
            out.append(Setting(f"{prefix}_{name}_{spec.name}", f"{name}.{spec.name}", _const(default),
                               _clamped(spec.low, spec.high, spec.integer), lambda v: f"{v:g}"))
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


def bind(name: str) -> dict:
    """Keyword arguments binding a widget to the canonical setting ``name`` (shadow key + copy back)."""
    key = wkey(name)
    if key not in st.session_state:
        st.session_state[key] = st.session_state[name]
    return {"key": key, "on_change": _copy_back, "args": (name,)}


def _copy_back(name: str) -> None:
    st.session_state[name] = st.session_state[wkey(name)]


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
    bad = []
    for s in settings:
        if s.url is None or s.url not in st.query_params:
            continue
        raw = st.query_params[s.url]
        if written.get(s.url) == raw:
            continue
        try:
            value = s.parse(raw)
        except (TypeError, ValueError):
            bad.append(f"{s.url}={raw}")
            continue
        if s.name == "dataset" and value != st.session_state.get("dataset"):
            reset_training_defaults(value)
        set_value(s.name, value)
        written[s.url] = raw
    return bad


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
