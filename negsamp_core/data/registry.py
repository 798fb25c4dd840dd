"""One entry point for every dataset the lab knows: ``load_dataset(name, ...)``."""

from __future__ import annotations

from .dataset import Dataset
from .synthetic import SyntheticConfig, make_synthetic
from .toy import make_toy

__all__ = ["DATASETS", "load_dataset"]

DATASETS = ("synthetic", "toy", "ml-100k", "ml-latest-small", "csv")


def load_dataset(name: str, *, seed: int = 0, data_dir=None, csv=None, synthetic: SyntheticConfig | None = None,
                 **kwargs) -> Dataset:
    """Load a dataset by name.

    Args:
        name: one of :data:`DATASETS`.
        seed: seed of the synthetic world and of the random splits.
        data_dir: folder holding ``ml-100k/`` / ``ml-latest-small/`` (MovieLens only).
        csv: path or file-like for ``name="csv"``.
        synthetic: :class:`SyntheticConfig` for ``name="synthetic"``.
        kwargs: passed to the loader (e.g. ``split``, ``threshold``, ``download``, ``progressbar``).
    Raises:
        ValueError: unknown name or bad arguments; loader errors (``DatasetNotFound``,
            ``DownloadError``, ``CSVFormatError``) as documented by each loader.
    """
    if name == "synthetic":
        return make_synthetic(synthetic, seed=seed, **kwargs)
    if name == "toy":
        return make_toy(seed)
    if name in ("ml-100k", "ml-latest-small"):
        from .movielens import load_movielens

        if name == "ml-latest-small":
            kwargs.setdefault("split", "random")
        return load_movielens(name, data_dir=data_dir, seed=seed, **kwargs)
    if name == "csv":
        if csv is None:
            raise ValueError("the csv dataset needs a file: pass --csv FILE")
        from .csv import load_csv

        return load_csv(csv, seed=seed, **kwargs)
    raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
