"""MovieLens loaders (ml-100k, ml-latest-small): local folder or checksum-verified download.

The MovieLens files are licensed by GroupLens for non-commercial research and may not be
redistributed, so this project never ships them: it reads a folder the user points at, or
downloads the official archive on demand into a local cache with :func:`pooch.retrieve`.

Where the files are looked for, in this order (the first folder holding the needed files wins):

1. the ``data_dir`` argument (CLI ``--data-dir``),
2. the environment variable ``NEGSAMP_DATA_DIR``,
3. the download cache: ``cache_dir`` argument, else env ``NEGSAMP_CACHE_DIR``, else
   ``pooch.os_cache("negsamp-lab")``.

Each place holds ``ml-100k/`` and/or ``ml-latest-small/`` in the official archive layout; for
the first two, a folder that *is* the dataset folder (files directly inside) is accepted too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pooch
import requests

from .dataset import Dataset
from .split import split_per_user

__all__ = ["load_movielens", "DatasetNotFound", "DownloadError", "default_cache_dir", "SOURCES", "MOVIELENS_NAMES"]

DATA_DIR_ENV = "NEGSAMP_DATA_DIR"
CACHE_DIR_ENV = "NEGSAMP_CACHE_DIR"
LICENCE = "GroupLens research licence: non-commercial, no redistribution; cite Harper & Konstan 2015"
FALSE_NEGATIVE_NOTE = (
    "Real data has no ground truth: a sampled negative counts as a false negative when it is one "
    "of the user's held-out (validation or test) positives."
)
DOWNLOAD_TIMEOUT_S = (10, 60)  # (connect, read) seconds; a dead network fails fast, no retries


class DatasetNotFound(FileNotFoundError):
    """The dataset's files are in none of the searched folders (and download was not asked for).

    Attributes:
        looked: one line per place searched (for user interfaces that word their own advice).
    """

    def __init__(self, message: str, looked: list[str] | None = None):
        super().__init__(message)
        self.looked = list(looked or [])


class DownloadError(RuntimeError):
    """The download failed (network down, HTTP error, or checksum mismatch)."""


@dataclass(frozen=True)
class Source:
    """Where a MovieLens archive comes from and what it contains."""

    url: str
    sha256: str
    size_bytes: int
    ratings_files: dict  # split -> tuple of the rating files that split reads
    names_file: str  # titles (optional: items without a title get "item <raw id>")


SOURCES = {
    "ml-100k": Source(
        url="https://files.grouplens.org/datasets/movielens/ml-100k.zip",
        sha256="50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
        size_bytes=4_924_029,
        ratings_files={"u1": ("u1.base", "u1.test"), "random": ("u.data",)},
        names_file="u.item",
    ),
    "ml-latest-small": Source(
        url="https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
        sha256="696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
        size_bytes=978_202,
        ratings_files={"random": ("ratings.csv",)},
        names_file="movies.csv",
    ),
}
MOVIELENS_NAMES = tuple(SOURCES)


# ----------------------------------------------------------------------------- public API
def load_movielens(
    name: str,
    *,
    data_dir=None,
    split: str = "u1",
    threshold: float | None = 4.0,
    valid_fraction: float = 0.1,
    test_fraction: float = 0.1,
    min_positives_to_split: int | None = None,
    seed: int = 0,
    download: bool = False,
    progressbar=None,
    cache_dir=None,
    url: str | None = None,
) -> Dataset:
    """Load MovieLens as implicit feedback: a rating >= ``threshold`` is a positive.

    Args:
        name: ``"ml-100k"`` or ``"ml-latest-small"``.
        data_dir: folder holding ``<name>/`` (or the dataset folder itself); searched first.
        split: ``"u1"`` (ml-100k only): train/valid from u1.base (validation carved per user at
            random, ``valid_fraction``), test = u1.test. ``"random"``: all ratings, per-user random
            train/valid/test with ``valid_fraction`` / ``test_fraction``.
        threshold: minimum rating of a positive (inclusive); None makes every rating positive.
        min_positives_to_split: users with fewer positives get no held-out (validation/test)
            pairs; None = ``floor(n * fraction)`` pairs, i.e. at least 10 with fractions 0.1 (see
            :func:`split_per_user`). u1's test split is fixed and not affected.
        seed: seed of ``np.random.default_rng`` used for the random splits.
        download: fetch the official archive into the cache when the files are not found.
        progressbar: download progress: None/True = tqdm bar, False = none, or an object with
            ``update``/``reset``/``close`` and a ``total`` attribute.
        cache_dir: download cache (default env NEGSAMP_CACHE_DIR, else ``pooch.os_cache``).
        url: override of the download URL (a mirror); the official checksum is still verified.
    Returns:
        :class:`Dataset` with contiguous ids (users/items of *any* rating of the files read,
        ascending original id), ``item_names`` (tuple of str), and ``info`` with source, licence,
        split, threshold, ``raw_user_ids`` / ``raw_item_ids`` (np.int64 [n_users] / [n_items]).
    Raises:
        ValueError: unknown name or split, or a file that cannot be parsed.
        DatasetNotFound: files absent everywhere and ``download`` is False.
        DownloadError: download failed (offline, HTTP error, checksum mismatch).
    """
    source = _source(name, split)
    folder = _find_or_download(name, split, data_dir, cache_dir, download, progressbar, url)
    ratings = [_read_ratings(name, folder / f) for f in source.ratings_files[split]]
    raw_users = np.unique(np.concatenate([r["user"].to_numpy() for r in ratings])).astype(np.int64)
    raw_items = np.unique(np.concatenate([r["item"].to_numpy() for r in ratings])).astype(np.int64)
    positives = [_encode(_positives(r, threshold), raw_users, raw_items) for r in ratings]
    rng = np.random.default_rng(seed)
    if split == "u1":
        train, valid = split_per_user(*positives[0], (valid_fraction,), rng, min_positives=min_positives_to_split)
        test = positives[1]
    else:
        train, valid, test = split_per_user(
            *positives[0], (valid_fraction, test_fraction), rng, min_positives=min_positives_to_split
        )
    info = {
        "source": str(folder),
        "url": url or source.url,
        "licence": LICENCE,
        "split": split,
        "threshold": threshold,
        "valid_fraction": valid_fraction,
        "test_fraction": test_fraction if split == "random" else None,
        "min_positives_to_split": min_positives_to_split,
        "seed": seed,
        "raw_user_ids": raw_users,
        "raw_item_ids": raw_items,
        "false_negatives": FALSE_NEGATIVE_NOTE,
    }
    return Dataset.from_pairs(
        name,
        raw_users.size,
        raw_items.size,
        train=train,
        valid=valid,
        test=test,
        item_names=_item_names(name, folder / source.names_file, raw_items),
        info=info,
    )


def default_cache_dir(cache_dir=None) -> Path:
    """The download cache: ``cache_dir``, else env NEGSAMP_CACHE_DIR, else ``pooch.os_cache``."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV]).expanduser()
    return Path(pooch.os_cache("negsamp-lab"))


# ----------------------------------------------------------------------------- locating files
def _source(name: str, split: str) -> Source:
    if name not in SOURCES:
        raise ValueError(f"unknown MovieLens dataset {name!r}; choose one of {list(SOURCES)}")
    if split not in SOURCES[name].ratings_files:
        raise ValueError(
            f"split {split!r} is not available for {name}; choose one of {list(SOURCES[name].ratings_files)}"
            + (" (the official u1 split exists only for ml-100k)" if split == "u1" else "")
        )
    return SOURCES[name]


def _search_places(data_dir, cache_dir) -> list[tuple[str, Path | None, bool]]:
    """(label, base folder or None if unset, whether the base itself may be the dataset folder)."""
    env = os.environ.get(DATA_DIR_ENV) or None
    return [
        ("data_dir argument (--data-dir)", Path(data_dir).expanduser() if data_dir else None, True),
        (f"environment variable {DATA_DIR_ENV}", Path(env).expanduser() if env else None, True),
        ("download cache", default_cache_dir(cache_dir), False),
    ]


def _find(name: str, split: str, data_dir, cache_dir) -> tuple[Path | None, list[str]]:
    """The first folder holding the files ``split`` needs, and a line per place looked at."""
    needed = SOURCES[name].ratings_files[split]
    looked = []
    for label, base, may_be_itself in _search_places(data_dir, cache_dir):
        if base is None:
            looked.append(f"  - {label}: not set")
            continue
        candidates = [base / name] + ([base] if may_be_itself else [])
        for folder in candidates:
            if all((folder / f).is_file() for f in needed):
                return folder, looked
        looked.append(f"  - {label}: {base / name} (no {', '.join(needed)} there)")
    return None, looked


def _find_or_download(name, split, data_dir, cache_dir, download, progressbar, url) -> Path:
    folder, looked = _find(name, split, data_dir, cache_dir)
    if folder is not None:
        return folder
    source = SOURCES[name]
    if not download:
        raise DatasetNotFound(
            f"MovieLens {name!r} was not found. Looked in:\n" + "\n".join(looked) + "\n"
            f"Pass --data-dir DIR (or data_dir=DIR) where DIR holds {name}/ in the official layout, "
            f"or set {DATA_DIR_ENV}=DIR, or use --download (download=True) to fetch "
            f"{source.url} ({source.size_bytes / 1e6:.1f} MB, checksum-verified) into the cache.",
            looked=looked,
        )
    cache = default_cache_dir(cache_dir)
    _download(name, url or source.url, cache, progressbar)
    folder = cache / name
    missing = [f for f in source.ratings_files[split] if not (folder / f).is_file()]
    if missing:
        raise DownloadError(
            f"the archive from {url or source.url} unpacked to {cache} has no {name}/{missing[0]}; "
            f"download {source.url} manually and pass --data-dir to the folder holding {name}/."
        )
    return folder


def _download(name: str, url: str, cache: Path, progressbar) -> None:
    """Fetch ``<name>.zip`` into ``cache`` (sha256-verified) and unzip it there (``cache/<name>/``)."""
    try:
        pooch.retrieve(
            url,
            known_hash=f"sha256:{SOURCES[name].sha256}",
            fname=f"{name}.zip",
            path=cache,
            processor=pooch.Unzip(extract_dir=str(cache.resolve())),
            downloader=_downloader(url, progressbar),
        )
    except (requests.exceptions.RequestException, OSError) as e:  # offline, refused, timeout, HTTP error
        raise DownloadError(
            f"could not download {name} from {url}: {type(e).__name__}: {e}\n"
            "This machine seems to be offline (or the server is unreachable). Download the archive "
            f"manually on a connected machine ({SOURCES[name].url}), unzip it so that DIR/{name}/ "
            f"holds its files, then pass --data-dir DIR or set {DATA_DIR_ENV}=DIR."
        ) from e
    except ValueError as e:  # pooch: sha256 of the downloaded file does not match
        raise DownloadError(
            f"the file downloaded from {url} failed checksum verification ({e}). It is not the official "
            f"{name} archive; download it manually from {SOURCES[name].url}, unzip it and pass "
            "--data-dir to the folder holding it."
        ) from e


def _downloader(url: str, progressbar):
    """An HTTP downloader with a short connect timeout; None (pooch's choice) for other schemes."""
    if progressbar is None:
        progressbar = True
    if progressbar is True:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            progressbar = False
    if not url.lower().startswith(("http://", "https://")):
        return None
    return pooch.HTTPDownloader(progressbar=progressbar, timeout=DOWNLOAD_TIMEOUT_S)


# ----------------------------------------------------------------------------- parsing
def _read_ratings(name: str, path: Path) -> pd.DataFrame:
    """DataFrame with columns user, item (np.int64) and rating (float64)."""
    try:
        if name == "ml-100k":
            df = pd.read_csv(path, sep="\t", header=None, usecols=[0, 1, 2], names=["user", "item", "rating"])
        else:
            df = pd.read_csv(path, usecols=["userId", "movieId", "rating"], encoding="utf-8")
            df = df.rename(columns={"userId": "user", "movieId": "item"})
        return df.astype({"user": np.int64, "item": np.int64, "rating": np.float64})
    except Exception as e:
        raise ValueError(f"could not parse {path} as a {name} ratings file: {e}") from e


def _positives(ratings: pd.DataFrame, threshold) -> pd.DataFrame:
    keep = ratings if threshold is None else ratings[ratings["rating"] >= threshold]
    return keep.drop_duplicates(["user", "item"])


def _encode(df: pd.DataFrame, raw_users: np.ndarray, raw_items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Original ids -> contiguous ids (positions in the sorted raw id arrays), np.int64 [n] each."""
    users = np.searchsorted(raw_users, df["user"].to_numpy()).astype(np.int64)
    items = np.searchsorted(raw_items, df["item"].to_numpy()).astype(np.int64)
    return users, items


def _item_names(name: str, path: Path, raw_items: np.ndarray) -> tuple:
    """Titles aligned with the new item ids; ``"item <raw id>"`` where no title is known."""
    titles = {}
    if path.is_file():
        try:
            if name == "ml-100k":
                df = pd.read_csv(
                    path,
                    sep="|",
                    header=None,
                    usecols=[0, 1],
                    names=["item", "title"],
                    encoding="ISO-8859-1",
                    dtype={"item": np.int64, "title": str},
                )
            else:
                df = pd.read_csv(
                    path, usecols=["movieId", "title"], encoding="utf-8", dtype={"movieId": np.int64, "title": str}
                )
                df = df.rename(columns={"movieId": "item"})
        except Exception as e:
            raise ValueError(f"could not parse {path} as a {name} titles file: {e}") from e
        titles = dict(zip(df["item"].tolist(), df["title"].fillna("").tolist()))
    return tuple(titles.get(int(i)) or f"item {int(i)}" for i in raw_items)
