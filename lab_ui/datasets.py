"""Dataset choices of the app: a hashable key per dataset, loading through the core's
``load_dataset``, and the CSV upload handler. No Streamlit here.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from negsamp_core.data import (
    DATASETS,
    CSVFormatError,
    Dataset,
    DatasetNotFound,
    SyntheticConfig,
    dataset_options,
    load_csv,
    load_dataset,
)
from negsamp_core.data.csv import MAX_CSV_BYTES
from negsamp_core.data.movielens import SOURCES

__all__ = [
    "DatasetSpec",
    "load",
    "handle_upload",
    "UploadResult",
    "KINDS",
    "default_data_dir",
    "MAX_UPLOAD_MB",
    "check_named_folder",
]

KINDS = DATASETS
MAX_UPLOAD_MB = MAX_CSV_BYTES // 2**20  # .streamlit/config.toml's server.maxUploadSize must equal it


def default_data_dir() -> str:
    return os.environ.get("NEGSAMP_DATA_DIR", "")


@dataclass(frozen=True)
class DatasetSpec:
    """What identifies a dataset: its kind, seed and the knobs of that kind.

    ``synthetic`` is a tuple of :class:`SyntheticConfig` field values (hashable); ``csv_digest``
    names an uploaded file kept in the session (its bytes never enter the key).
    """

    kind: str = "synthetic"
    seed: int = 0
    synthetic: tuple = ()
    data_dir: str = ""
    split: str = "u1"
    threshold: float = 4.0
    csv_digest: str = ""

    @property
    def key(self) -> tuple:
        if self.kind == "synthetic":
            return ("synthetic", self.seed, self.synthetic)
        if self.kind == "toy":
            return ("toy",)
        if self.kind == "csv":
            return ("csv", self.csv_digest)
        split = self.split if self.kind == "ml-100k" else "random"
        return (self.kind, self.data_dir, split, self.threshold, self.seed)

    def synthetic_config(self) -> SyntheticConfig:
        fields = list(asdict(SyntheticConfig()))
        return SyntheticConfig(**dict(zip(fields, self.synthetic))) if self.synthetic else SyntheticConfig()


def synthetic_tuple(**knobs) -> tuple:
    """SyntheticConfig field values with ``knobs`` replaced (a hashable DatasetSpec.synthetic)."""
    return tuple(asdict(SyntheticConfig(**knobs)).values())


def load(spec: DatasetSpec, progressbar=None, download: bool = False) -> Dataset:
    """Load the dataset a spec names (CSV datasets live in the session, not here).

    Raises:
        ValueError, DatasetNotFound, DownloadError: as the core loaders do.
    """
    if spec.kind == "csv":
        raise ValueError("a CSV dataset lives in the session (see handle_upload), it cannot be loaded from a spec")
    if spec.kind in SOURCES and spec.data_dir and spec.data_dir != default_data_dir() and not download:
        check_named_folder(spec.kind, spec.split if spec.kind == "ml-100k" else "random", spec.data_dir)
    options = dataset_options(
        spec.kind,
        synthetic=spec.synthetic_config(),
        data_dir=spec.data_dir or None,
        split=spec.split if spec.kind == "ml-100k" else None,
        threshold=spec.threshold,
        download=download,
        progressbar=progressbar,
    )
    return load_dataset(spec.kind, seed=spec.seed, **options)


def check_named_folder(name: str, split: str, data_dir: str) -> None:
    """A folder the user named must hold the files: never fall back silently to another place
    (``NEGSAMP_DATA_DIR`` or the download cache) when it does not.

    Raises:
        DatasetNotFound: the folder (or its ``<name>/`` subfolder) lacks the split's files.
    """
    needed = SOURCES[name].ratings_files.get(split, ())
    base = Path(data_dir).expanduser()
    for folder in (base / name, base):
        try:
            if needed and all((folder / f).is_file() for f in needed):
                return
        except OSError:
            continue
    line = f"  - the folder you named: {base / name} and {base} (no {', '.join(needed)} there)"
    raise DatasetNotFound(
        f"MovieLens {name!r} is not in the folder you named ({base}): it holds no "
        f"{', '.join(needed)}. Name the folder that holds {name}/, or clear the field to use "
        f"the download cache.",
        looked=[line],
    )


@dataclass(frozen=True)
class UploadResult:
    """Outcome of an upload: a dataset and its digest, or an error message (never both)."""

    dataset: Dataset | None
    digest: str
    error: str | None


def handle_upload(data: bytes, filename: str, threshold: float | None, seed: int = 0) -> UploadResult:
    """Validate and load uploaded CSV bytes. Never raises for a bad file: the message says what is wrong."""
    digest = hashlib.sha1(data).hexdigest()[:12] + f"-{threshold}"
    try:
        dataset = load_csv(data, threshold=threshold or None, seed=seed, name=os.path.basename(filename) or "csv")
    except (CSVFormatError, ValueError) as exc:
        return UploadResult(None, digest, str(exc))
    return UploadResult(dataset, digest, None)
