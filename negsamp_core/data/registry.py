"""One entry point for every dataset the lab knows: ``load_dataset(name, ...)``.

This is the one place that knows which option applies to which dataset kind; the CLI and the app
both call :func:`load_dataset` (the app through :func:`dataset_options`, which drops the options a
kind does not use, as a page keeps every setting whatever the kind).
"""

from __future__ import annotations

from .dataset import Dataset
from .synthetic import make_synthetic
from .toy import make_toy

__all__ = ["DATASETS", "DEFAULT_THRESHOLD", "OPTIONS", "dataset_options", "load_dataset"]

DATASETS = ("synthetic", "toy", "ml-100k", "ml-latest-small", "csv")

# Minimum rating of a positive where the data has ratings (MovieLens; a CSV with a rating column).
DEFAULT_THRESHOLD = 4.0

_MOVIELENS_OPTIONS = ("data_dir", "split", "threshold", "download", "progressbar", "min_positives_to_split")
# The options each kind uses (besides ``seed``).
OPTIONS: dict[str, tuple[str, ...]] = {
    "synthetic": ("synthetic", "min_positives_to_split"),
    "toy": (),  # a fixed, hand-made split
    "ml-100k": _MOVIELENS_OPTIONS,
    "ml-latest-small": _MOVIELENS_OPTIONS,
    "csv": ("csv", "threshold", "min_positives_to_split"),
}
# Options that may be given for a kind that does not use them (they change nothing there).
_HARMLESS = frozenset({"data_dir", "download", "progressbar", "min_positives_to_split"})
_WHAT = {
    "threshold": "a rating threshold",
    "split": "a split",
    "csv": "a CSV file",
    "synthetic": "a synthetic world configuration",
}


def dataset_options(name: str, **options) -> dict:
    """The options among ``options`` that dataset kind ``name`` uses (None values dropped)."""
    _check_name(name)
    return {k: v for k, v in options.items() if v is not None and (k in OPTIONS[name] or k == "seed")}


def _check_name(name: str) -> None:
    if name not in OPTIONS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


def load_dataset(name: str, *, seed: int = 0, **options) -> Dataset:
    """Load a dataset by name.

    Args:
        name: one of :data:`DATASETS`.
        seed: seed of the synthetic world and of the random splits.
        options (None = not given), per kind as listed in :data:`OPTIONS`:
            ``synthetic``: a :class:`~negsamp_core.data.SyntheticConfig` (synthetic);
            ``data_dir``: folder holding ``ml-100k/`` / ``ml-latest-small/``; ``download``; ``progressbar``;
            ``split``: ``"u1"`` (ML-100K's default) or ``"random"`` (ml-latest-small's only split);
            ``threshold``: minimum rating of a positive; by default :data:`DEFAULT_THRESHOLD` where the data
            has ratings (MovieLens, a CSV with a rating column) and none elsewhere;
            ``csv``: path or file-like (csv);
            ``min_positives_to_split``: users with fewer positives get no validation/test pairs (default:
            ``floor(n * 0.1)`` per part, i.e. at least 10 positives; see :func:`split_per_user`).
            Other keywords (``valid_fraction``, ``cache_dir``, ``url``, ...) go to the loader.
    Raises:
        ValueError: unknown name, or an option that means something for another kind only (a threshold
            for the synthetic world, a split for a CSV, ...); loader errors (``DatasetNotFound``,
            ``DownloadError``, ``CSVFormatError``) as documented by each loader.
    """
    _check_name(name)
    options = {k: v for k, v in options.items() if v is not None}
    if options.get("min_positives_to_split", 1) < 1:
        raise ValueError(
            f"the minimum number of positives to split a user must be >= 1, got {options['min_positives_to_split']}"
        )
    for key in [k for k in options if k in _WHAT or k in _HARMLESS]:
        if key not in OPTIONS[name]:
            if key not in _HARMLESS:
                where = ", ".join(kind for kind, keys in OPTIONS.items() if key in keys)
                raise ValueError(f"{_WHAT[key]} applies to {where} only, not to the {name} dataset")
            options.pop(key)
    if name == "synthetic":
        return make_synthetic(options.pop("synthetic", None), seed=seed, **options)
    if name == "toy":
        return make_toy(seed)
    if name in ("ml-100k", "ml-latest-small"):
        from .movielens import load_movielens

        options.setdefault("split", "u1" if name == "ml-100k" else "random")
        options.setdefault("threshold", DEFAULT_THRESHOLD)
        return load_movielens(name, seed=seed, **options)
    if "csv" not in options:
        raise ValueError("the csv dataset needs a file: pass --csv FILE")
    from .csv import load_csv

    options.setdefault("threshold_if_rated", DEFAULT_THRESHOLD)
    return load_csv(options.pop("csv"), seed=seed, **options)
