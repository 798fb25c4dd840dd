"""Load a user's own interaction file (CSV) as an implicit-feedback :class:`Dataset`.

Columns (matched case-insensitively, ignoring ``_``/spaces): a user column (user, userId, user_id,
uid), an item column (item, itemId, item_id, movieId, iid), optionally rating (rating, score),
timestamp (timestamp, time, ts) and an item title (title, name). The delimiter is guessed from the
header among ``,``, tab, ``;`` and ``|``. Every rejection raises :class:`CSVFormatError` saying what
is wrong and what to do; nothing is returned (so a caller keeps whatever it had loaded before).
"""

from __future__ import annotations

import io
import os
import re
import warnings

import numpy as np
import pandas as pd

from .dataset import Dataset
from .split import split_per_user

__all__ = ["load_csv", "CSVFormatError", "MAX_CSV_BYTES", "MIN_INTERACTIONS", "COLUMN_ALIASES"]

MAX_CSV_BYTES = 50 * 1024 * 1024  # 50 MB
MIN_INTERACTIONS = 3  # one positive each for training, validation and test
COLUMN_ALIASES = {
    "user": ("user", "userid", "uid"),
    "item": ("item", "itemid", "movieid", "iid"),
    "rating": ("rating", "score"),
    "timestamp": ("timestamp", "time", "ts"),
    "title": ("title", "name"),
}
_DELIMITERS = (",", "\t", ";", "|")
_NOTE = (
    "Real data has no ground truth: a sampled negative counts as a false negative when it is one "
    "of the user's held-out (validation or test) positives."
)


class CSVFormatError(ValueError):
    """The file cannot be used as an interaction dataset; the message says why and what to do."""


def load_csv(
    source,
    *,
    threshold: float | None = None,
    valid_fraction: float = 0.1,
    test_fraction: float = 0.1,
    min_positives_to_split: int | None = None,
    threshold_if_rated: float | None = None,
    seed: int = 0,
    name: str = "csv",
) -> Dataset:
    """Read interactions from a CSV and split them per user into train / validation / test.

    Args:
        source: path (str / PathLike), ``bytes``, or a file-like returning bytes or str
            (e.g. Streamlit's UploadedFile).
        threshold: if given, only rows with ``rating >= threshold`` are positives (needs a rating
            column); if None every row is a positive.
        valid_fraction, test_fraction: per-user held-out fractions (rounded down per user).
        min_positives_to_split: users with fewer positives get no held-out pairs; None =
            ``floor(n * fraction)`` per part (at least 10 positives with fractions 0.1).
        threshold_if_rated: the threshold used when ``threshold`` is None and the file has a
            rating column (a default that applies only where there are ratings).
        seed: seed of ``np.random.default_rng`` for the random split (unused with timestamps).
        name: dataset name.
    Returns:
        :class:`Dataset`. Ids are re-encoded to contiguous ids in sorted order of the original ids
        (numeric order if all ids are numbers, else string order); the universe is every user and
        item of any row. ``item_names`` come from the title column, else the original item ids;
        ``user_names`` are the original user ids. With a timestamp column each user's latest
        positives go to test and the ones just before to validation; otherwise the split is random.
        A repeated (user, item) positive counts once (its earliest occurrence).
    Raises:
        CSVFormatError: file too large, empty, unparsable, missing/ambiguous user or item column,
            missing ids, non-numeric ratings or timestamps, threshold without rating column, no
            positive after the threshold, fewer than 2 distinct items, too few interactions to split.
    """
    df = _read_table(source)
    cols = _map_columns(df)
    users, items = _ids(df, cols["user"], "user"), _ids(df, cols["item"], "item")
    ratings = _numeric(df, cols.get("rating"), "rating")
    times = _timestamps(df, cols.get("timestamp"))
    if threshold is None and ratings is not None:
        threshold = threshold_if_rated
    if threshold is not None and ratings is None:
        raise CSVFormatError(
            f"a rating threshold ({threshold}) was given but the file has no rating column "
            f"(columns found: {list(df.columns)}). Add a 'rating' column or load without a threshold."
        )
    raw_users, u = _encode(users)
    raw_items, i = _encode(items)
    pos = pd.DataFrame({"u": u, "i": i, "t": times if times is not None else 0.0, "row": np.arange(len(df))})
    if threshold is not None:
        pos = pos[ratings >= threshold]
        if pos.empty:
            raise CSVFormatError(
                f"no positive interaction left: no rating is >= the threshold {threshold} "
                f"(ratings range from {np.nanmin(ratings):g} to {np.nanmax(ratings):g}). Lower the threshold."
            )
    pos = pos.sort_values(["t", "row"], kind="stable").drop_duplicates(["u", "i"])
    _check_size(pos, threshold)
    fractions = (valid_fraction, test_fraction)
    if times is not None:
        train, valid, test = _split_by_time(pos, fractions, min_positives_to_split)
    else:
        train, valid, test = split_per_user(
            pos["u"].to_numpy(),
            pos["i"].to_numpy(),
            fractions,
            np.random.default_rng(seed),
            min_positives=min_positives_to_split,
        )
    _check_held_out(test, pos, fractions, test_first=times is not None, min_positives=min_positives_to_split)
    info = {
        "source": _source_label(source),
        "split": "temporal" if times is not None else "random",
        "threshold": threshold,
        "valid_fraction": valid_fraction,
        "test_fraction": test_fraction,
        "min_positives_to_split": min_positives_to_split,
        "seed": seed,
        "columns": cols,
        "n_rows": int(len(df)),
        "raw_user_ids": raw_users,
        "raw_item_ids": raw_items,
        "false_negatives": _NOTE,
    }
    return Dataset.from_pairs(
        name,
        raw_users.size,
        raw_items.size,
        train=train,
        valid=valid,
        test=test,
        item_names=_item_names(df, cols.get("title"), i, raw_items),
        user_names=tuple(str(x) for x in raw_users),
        info=info,
    )


# ----------------------------------------------------------------------------- reading
def _read_bytes(source) -> bytes | str:
    """The raw content, refusing anything over MAX_CSV_BYTES."""
    limit = f"{MAX_CSV_BYTES:,} bytes ({MAX_CSV_BYTES / 2**20:.0f} MB)"
    advice = "Keep a sample of the interactions (e.g. the most active users) and try again."
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_CSV_BYTES + 1)
    else:
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise CSVFormatError(f"no such file: {path}. Check the path.")
        size = os.path.getsize(path)
        if size > MAX_CSV_BYTES:
            raise CSVFormatError(f"the file has {size:,} bytes; the limit is {limit}. {advice}")
        with open(path, "rb") as f:
            data = f.read()
    if len(data) > MAX_CSV_BYTES:
        raise CSVFormatError(f"the file is larger than the limit of {limit}. {advice}")
    return data


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_table(source) -> pd.DataFrame:
    """The table with pandas' inferred dtypes (NaN only where a field is empty), stripped column names."""
    text = _decode(_read_bytes(source))
    if not text.strip():
        raise CSVFormatError(
            "the file is empty. Upload a CSV with a header row (user,item[,rating][,timestamp]) "
            "and one interaction per line."
        )
    if "\x00" in text:
        raise CSVFormatError(
            "could not parse the file as CSV: it contains binary data (NUL bytes), e.g. a spreadsheet or an "
            "archive. Export it as CSV (comma-separated text) and try again."
        )
    header = next(line for line in text.splitlines() if line.strip())
    sep = max(_DELIMITERS, key=header.count)
    try:
        with warnings.catch_warnings():  # a row longer than the header must not be silently cut
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                skipinitialspace=True,
                index_col=False,
                keep_default_na=False,
                na_values=[""],
            )  # an item called "NA" stays a name
    except Exception as e:  # pandas ParserError / ParserWarning, csv.Error, ...
        raise CSVFormatError(
            f"could not parse the file as CSV: {str(e).strip().rstrip('.')}. Save it as plain text with a "
            "header row and the same number of comma-separated fields on every line."
        ) from e
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise CSVFormatError(
            f"the file has a header ({list(df.columns)}) but no data rows. Add one interaction per line."
        )
    return df


def _map_columns(df: pd.DataFrame) -> dict:
    """role -> column name, for each role found. Raises if user/item is missing or ambiguous."""
    found = {}
    for col in df.columns:
        key = re.sub(r"[^a-z0-9]", "", col.lower())
        for role, aliases in COLUMN_ALIASES.items():
            if key in aliases:
                if role in found:
                    raise CSVFormatError(
                        f"columns {found[role]!r} and {col!r} both look like the {role} column. Rename or drop one."
                    )
                found[role] = col
    for role in ("user", "item"):
        if role not in found:
            raise CSVFormatError(
                f"no {role} column found (columns found: {list(df.columns)}). Name it one of "
                f"{list(COLUMN_ALIASES[role])} (any case), e.g. a header 'user,item,rating'."
            )
    return found


# ----------------------------------------------------------------------------- columns
def _row(index: int) -> str:
    """Where 0-based data row ``index`` sits in the file, for error messages."""
    return f"row {index + 2} of the file (row 1 is the header)"


def _strings(column: pd.Series) -> pd.Series:
    """Stripped str values, NaN where empty."""
    stripped = column.astype("string").str.strip()
    return stripped.mask(stripped == "")


def _as_numbers(column: pd.Series) -> pd.Series | None:
    """float/int Series if every non-missing value is a number, else None (fast: stops at the first)."""
    if pd.api.types.is_numeric_dtype(column):
        return column
    try:
        return pd.to_numeric(_strings(column), errors="raise")
    except (ValueError, TypeError):
        return None


def _ids(df: pd.DataFrame, col: str, role: str) -> pd.Series:
    """Numbers (np.int64 when integral) when every id is a number, else stripped strings."""
    numbers = _as_numbers(df[col])
    values = numbers if numbers is not None else _strings(df[col])
    missing = np.flatnonzero(values.isna().to_numpy())
    if missing.size:
        raise CSVFormatError(
            f"{missing.size} row(s) have no {role} id in column {col!r}, first at {_row(missing[0])}. "
            "Fill in or delete those rows."
        )
    if numbers is not None and (numbers == np.floor(numbers)).all():
        return numbers.astype(np.int64)
    return values


def _numeric(df: pd.DataFrame, col: str | None, role: str) -> np.ndarray | None:
    """float64 [n_rows] or None if the column is absent. Raises on an empty or non-numeric value."""
    if col is None:
        return None
    numbers = _as_numbers(df[col])
    if numbers is None:
        numbers = pd.to_numeric(_strings(df[col]), errors="coerce")
    bad = np.flatnonzero(numbers.isna().to_numpy())
    if bad.size:
        raise CSVFormatError(
            f"{bad.size} {role} value(s) in column {col!r} are not numbers, e.g. {_shown(df[col], bad[0])} "
            f"at {_row(bad[0])}. Every {role} must be a number; fix or delete those rows (or drop the column)."
        )
    return numbers.to_numpy(dtype=np.float64)


def _shown(column: pd.Series, index: int) -> str:
    """A bad value as shown in an error message."""
    value = _strings(column.iloc[[index]]).iloc[0]
    return "an empty value" if pd.isna(value) else repr(str(value))


def _timestamps(df: pd.DataFrame, col: str | None) -> np.ndarray | None:
    """float64 [n_rows] or None if absent. A column of mostly numbers is read as numbers (e.g. unix
    seconds), otherwise as dates (seconds since 1970, UTC). Raises on a value that does not fit."""
    if col is None:
        return None
    values, kind = _as_numbers(df[col]), "numbers"
    if values is None:
        raw = _strings(df[col])
        values = pd.to_numeric(raw, errors="coerce")
        if values.notna().mean() <= 0.5:
            dates = pd.to_datetime(raw, errors="coerce", utc=True, format="mixed")
            values, kind = (dates - pd.Timestamp(0, tz="UTC")).dt.total_seconds(), "dates"
    bad = np.flatnonzero(values.isna().to_numpy())
    if bad.size:
        raise CSVFormatError(
            f"{bad.size} timestamp value(s) in column {col!r} are not {kind}, e.g. {_shown(df[col], bad[0])} "
            f"at {_row(bad[0])}. Use unix seconds or ISO dates (2024-01-31 12:00) throughout, or drop the column."
        )
    return values.to_numpy(dtype=np.float64)


def _encode(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique original ids, np.int64 [n] contiguous ids)."""
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques), codes.astype(np.int64)


def _item_names(df: pd.DataFrame, col: str | None, items: np.ndarray, raw_items: np.ndarray) -> tuple:
    """First non-empty title of each item, else its original id."""
    names = np.array([str(x) for x in raw_items], dtype=object)
    if col is not None:
        titles = pd.DataFrame({"i": items, "title": _strings(df[col]).to_numpy()})
        titles = titles[titles["title"].notna()].drop_duplicates("i")  # keeps the first
        titles["title"] = titles["title"].astype(str)
        names[titles["i"].to_numpy()] = titles["title"].to_numpy()
    return tuple(names.tolist())


def _source_label(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "uploaded file"))


# ----------------------------------------------------------------------------- splitting
def _check_size(pos: pd.DataFrame, threshold) -> None:
    n_items = pos["i"].nunique()
    after = f" with rating >= {threshold}" if threshold is not None else ""
    if n_items < 2:
        raise CSVFormatError(
            f"only {n_items} distinct item among the positive interactions{after}; ranking needs at least 2 items. "
            "Add interactions with other items" + (" or lower the threshold." if threshold is not None else ".")
        )
    if len(pos) < MIN_INTERACTIONS:
        raise CSVFormatError(
            f"too few interactions to split: {len(pos)} distinct positive (user, item) pair(s){after}; "
            f"the minimum is {MIN_INTERACTIONS} (one each for training, validation and test)."
        )


def _held_size(n: int, fraction: float, min_positives: int | None) -> int:
    """Pairs of a user with n positives in a held-out part of ``fraction`` (the split's rule)."""
    size = int(np.floor(n * fraction))
    if min_positives is not None:
        size = max(size, 1 if fraction > 0 else 0) if n >= min_positives else 0
    return size


def _min_history(fractions, test_first: bool, min_positives: int | None = None) -> int:
    """Smallest per-user count that puts at least one pair in the test part (same rounding as the split)."""
    valid_fraction, test_fraction = fractions
    for n in range(2, 1_000_001):
        if test_first:  # temporal split: test is served first
            n_test = min(_held_size(n, test_fraction, min_positives), n - 1)
        else:  # split_per_user: validation first, then test, training keeps one
            n_valid = min(_held_size(n, valid_fraction, min_positives), n - 1)
            n_test = min(_held_size(n, test_fraction, min_positives), n - 1 - n_valid)
        if n_test >= 1:
            return n
    return 1_000_001


def _check_held_out(test, pos: pd.DataFrame, fractions, test_first: bool, min_positives: int | None = None) -> None:
    """Raise when a positive test fraction still leaves the test split empty."""
    if fractions[-1] > 0 and len(test[0]) == 0:
        need = _min_history(fractions, test_first, min_positives)
        most = int(pos["u"].value_counts().max())
        raise CSVFormatError(
            f"too few interactions to split: no user has enough positives to hold one out for test. With "
            f"valid/test fractions {fractions} a user needs at least {need} positives (minimum); the most any "
            f"user has is {most}. Add interactions, raise the test fraction or lower the minimum number of "
            f"positives to split."
        )


def _split_by_time(
    pos: pd.DataFrame, fractions, min_positives: int | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per user, the latest ``floor(n * test_fraction)`` positives go to test and the
    ``floor(n * valid_fraction)`` before them to validation; training keeps at least one.

    ``pos`` must be sorted by time (ties in file order). Returns [(users, items)] * 3, np.int64.
    """
    valid_fraction, test_fraction = fractions
    if min(fractions) < 0 or sum(fractions) >= 1.0:
        raise ValueError(f"held-out fractions must be >= 0 and sum to less than 1, got {list(fractions)}")
    order = np.argsort(pos["u"].to_numpy(), kind="stable")  # by user, time order kept inside
    u, it = pos["u"].to_numpy()[order], pos["i"].to_numpy()[order]
    starts = np.r_[0, np.flatnonzero(np.diff(u)) + 1]
    counts = np.diff(np.r_[starts, u.size])
    n = np.repeat(counts, counts)
    from_end = n - (np.arange(u.size) - np.repeat(starts, counts))  # 1 = latest
    n_test = np.minimum(_held_sizes(n, test_fraction, min_positives), n - 1)
    n_valid = np.minimum(_held_sizes(n, valid_fraction, min_positives), n - 1 - n_test)
    part = np.where(from_end <= n_test, 2, np.where(from_end <= n_test + n_valid, 1, 0))
    return [(u[part == k].astype(np.int64), it[part == k].astype(np.int64)) for k in range(3)]


def _held_sizes(n: np.ndarray, fraction: float, min_positives: int | None) -> np.ndarray:
    """Vectorised :func:`_held_size`."""
    size = np.floor(n * fraction).astype(np.int64)
    if min_positives is not None:
        size = np.where(n >= min_positives, np.maximum(size, 1 if fraction > 0 else 0), 0)
    return size
