"""Datasets for the lab: the common container, splits, and loaders.

One import line per module; add new loaders (synthetic, toy, the ``load_dataset`` dispatcher)
below and extend ``__all__`` with their names.
"""

from .csv import CSVFormatError, load_csv
from .dataset import MIN_EVAL_USERS, Dataset, PositiveSets, evaluation_warning
from .movielens import DatasetNotFound, DownloadError, load_movielens
from .registry import DATASETS, DEFAULT_THRESHOLD, OPTIONS, dataset_options, load_dataset
from .split import split_per_user
from .synthetic import SyntheticConfig, make_synthetic
from .toy import make_toy

__all__ = [
    "Dataset",
    "PositiveSets",
    "MIN_EVAL_USERS",
    "evaluation_warning",
    "split_per_user",
    "load_movielens",
    "DatasetNotFound",
    "DownloadError",
    "load_csv",
    "CSVFormatError",
    "SyntheticConfig",
    "make_synthetic",
    "make_toy",
    "DATASETS",
    "DEFAULT_THRESHOLD",
    "OPTIONS",
    "dataset_options",
    "load_dataset",
]
