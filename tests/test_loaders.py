"""Tests of the real-data loaders (MovieLens folders / download, user CSV files)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import io
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest

from negsamp_core.data import (
    CSVFormatError,
    Dataset,
    DatasetNotFound,
    DownloadError,
    load_csv,
    load_movielens,
)
from negsamp_core.data import csv as csv_module
from negsamp_core.data import movielens as movielens_module

SHARED_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def pairs(ps) -> set[tuple[int, int]]:
    """A PositiveSets as a set of (user, item) pairs."""
    return set(zip(ps.rows.tolist(), ps.indices.tolist()))


def assert_disjoint(d: Dataset) -> None:
    tr, va, te = pairs(d.train), pairs(d.valid), pairs(d.test)
    assert not tr & va and not tr & te and not va & te


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No test sees the developer's data folder or download cache."""
    monkeypatch.delenv("NEGSAMP_DATA_DIR", raising=False)
    monkeypatch.setenv("NEGSAMP_CACHE_DIR", str(tmp_path / "empty-cache"))


# ----------------------------------------------------------------------------- handmade MovieLens
# Original ids have gaps: users {1, 3, 7} -> 0, 1, 2; items {2, 5, 8, 10, 11} -> 0..4.
U1_BASE = [(1, 2, 5), (1, 5, 4), (1, 8, 3), (1, 10, 4), (3, 2, 4), (3, 5, 1), (3, 11, 5), (7, 8, 2)]
U1_TEST = [(1, 11, 5), (3, 8, 4), (7, 10, 3), (7, 2, 4)]
TITLES = {1: "Unrated Film (1990)", 2: "Two (1995)", 5: "Café (1999)", 8: "Eight (1997)", 10: "Ten (1998)"}


def write_ml100k(root: Path, base=U1_BASE, test=U1_TEST) -> Path:
    folder = root / "ml-100k"
    folder.mkdir(parents=True)

    def tsv(rows):
        return "".join(f"{u}\t{i}\t{r}\t{880000000 + k}\n" for k, (u, i, r) in enumerate(rows))

    (folder / "u1.base").write_text(tsv(base))
    (folder / "u1.test").write_text(tsv(test))
    (folder / "u.data").write_text(tsv(base + test))
    lines = [f"{i}|{t}|01-Jan-1995||http://example.org/{i}|0|1|0\n" for i, t in TITLES.items()]
    (folder / "u.item").write_bytes("".join(lines).encode("iso-8859-1"))  # no title for item 11
    return root


def write_ml_latest(root: Path) -> Path:
    folder = root / "ml-latest-small"
    folder.mkdir(parents=True)
    (folder / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n"
        "10,100,4.0,964982703\n10,200,3.5,964982704\n10,300,5.0,964982705\n"
        "20,100,0.5,964982706\n20,400,4.5,964982707\n"
        "30,300,4.0,964982708\n",
        encoding="utf-8",
    )
    (folder / "movies.csv").write_text(
        "movieId,title,genres\n"
        "100,Toy Story (1995),Animation|Comedy\n"
        '200,"Amélie (Fabuleux destin d\'Amélie Poulain, Le) (2001)",Comedy|Romance\n'
        "300,Heat (1995),Action\n400,Léon (1994),Crime\n",
        encoding="utf-8",
    )
    return root


def test_ml100k_u1_exact_ids_titles_and_pairs(tmp_path):
    d = load_movielens("ml-100k", data_dir=write_ml100k(tmp_path), split="u1", valid_fraction=0.0)
    assert (d.n_users, d.n_items) == (3, 5)
    assert d.info["raw_user_ids"].tolist() == [1, 3, 7]
    assert d.info["raw_item_ids"].tolist() == [2, 5, 8, 10, 11]
    assert pairs(d.train) == {(0, 0), (0, 1), (0, 3), (1, 0), (1, 4)}
    assert pairs(d.valid) == set()
    assert pairs(d.test) == {(0, 4), (1, 2), (2, 0)}
    assert d.item_names == ("Two (1995)", "Café (1999)", "Eight (1997)", "Ten (1998)", "item 11")
    assert d.item_popularity.tolist() == [2, 1, 0, 1, 1]
    assert d.info["split"] == "u1" and d.info["threshold"] == 4.0
    assert "no redistribution" in d.info["licence"] and "Harper & Konstan 2015" in d.info["licence"]
    assert "held-out" in d.info["false_negatives"]
    assert d.info["source"] == str(tmp_path / "ml-100k")


def test_ml100k_threshold_is_inclusive(tmp_path):
    root = write_ml100k(tmp_path)
    at4 = load_movielens("ml-100k", data_dir=root, valid_fraction=0.0, threshold=4)
    at3 = load_movielens("ml-100k", data_dir=root, valid_fraction=0.0, threshold=3)
    at5 = load_movielens("ml-100k", data_dir=root, valid_fraction=0.0, threshold=5)
    assert (0, 2) not in pairs(at4.train) and (2, 3) not in pairs(at4.test)  # rating 3 excluded at 4
    assert pairs(at3.train) == pairs(at4.train) | {(0, 2)}  # ... included at 3
    assert pairs(at3.test) == pairs(at4.test) | {(2, 3)}
    assert pairs(at5.train) == {(0, 0), (1, 4)}  # rating 4 dropped at 5
    assert (at5.n_users, at5.n_items) == (3, 5)  # id universe = every rating, not only positives


def test_ml100k_u1_validation_carved_from_base(tmp_path):
    d = load_movielens("ml-100k", data_dir=write_ml100k(tmp_path), split="u1", valid_fraction=0.5, seed=3)
    assert pairs(d.train) | pairs(d.valid) == {(0, 0), (0, 1), (0, 3), (1, 0), (1, 4)}
    assert d.valid.counts.tolist() == [1, 1, 0]  # floor(3 * .5) and floor(2 * .5)
    assert pairs(d.test) == {(0, 4), (1, 2), (2, 0)}
    assert_disjoint(d)
    again = load_movielens("ml-100k", data_dir=tmp_path, split="u1", valid_fraction=0.5, seed=3)
    assert pairs(again.valid) == pairs(d.valid)


def test_ml100k_random_split_uses_all_ratings(tmp_path):
    d = load_movielens(
        "ml-100k", data_dir=write_ml100k(tmp_path), split="random", valid_fraction=0.3, test_fraction=0.3, seed=0
    )
    everything = {(0, 0), (0, 1), (0, 3), (0, 4), (1, 0), (1, 4), (1, 2), (2, 0)}
    assert pairs(d.train) | pairs(d.valid) | pairs(d.test) == everything
    assert d.train.nnz + d.valid.nnz + d.test.nnz == 8
    assert d.valid.counts.tolist() == [1, 0, 0] and d.test.counts.tolist() == [1, 0, 0]  # floor(4*.3)
    assert_disjoint(d)
    assert d.info["split"] == "random"


def test_ml_latest_small_random(tmp_path):
    d = load_movielens(
        "ml-latest-small", data_dir=write_ml_latest(tmp_path), split="random", valid_fraction=0.0, test_fraction=0.0
    )
    assert (d.n_users, d.n_items) == (3, 4)
    assert d.info["raw_user_ids"].tolist() == [10, 20, 30]
    assert d.info["raw_item_ids"].tolist() == [100, 200, 300, 400]
    assert pairs(d.train) == {(0, 0), (0, 2), (1, 3), (2, 2)}  # 3.5 and 0.5 are not positives
    assert d.item_names == (
        "Toy Story (1995)",
        "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
        "Heat (1995)",
        "Léon (1994)",
    )
    half = load_movielens(
        "ml-latest-small", data_dir=tmp_path, split="random", threshold=3.5, valid_fraction=0.0, test_fraction=0.0
    )
    assert pairs(half.train) == pairs(d.train) | {(0, 1)}


def test_bad_name_or_split_is_a_value_error(tmp_path):
    write_ml_latest(tmp_path)
    with pytest.raises(ValueError, match="only for ml-100k"):
        load_movielens("ml-latest-small", data_dir=tmp_path, split="u1")
    with pytest.raises(ValueError, match="unknown MovieLens dataset 'ml-1m'"):
        load_movielens("ml-1m", data_dir=tmp_path)
    with pytest.raises(ValueError, match="split 'temporal' is not available"):
        load_movielens("ml-100k", data_dir=tmp_path, split="temporal")


# ----------------------------------------------------------------------------- where files are found
def test_data_dir_beats_env_beats_cache(tmp_path, monkeypatch):
    arg = write_ml100k(tmp_path / "arg")
    env = write_ml100k(tmp_path / "env", base=U1_BASE[:4])
    cache = write_ml100k(tmp_path / "cache", base=U1_BASE[:2])
    monkeypatch.setenv("NEGSAMP_DATA_DIR", str(env))
    monkeypatch.setenv("NEGSAMP_CACHE_DIR", str(cache))
    assert load_movielens("ml-100k", data_dir=arg).info["source"] == str(arg / "ml-100k")
    assert load_movielens("ml-100k").info["source"] == str(env / "ml-100k")
    # a data_dir without the dataset falls through to the next place
    assert load_movielens("ml-100k", data_dir=tmp_path / "nothing").info["source"] == str(env / "ml-100k")
    monkeypatch.delenv("NEGSAMP_DATA_DIR")
    assert load_movielens("ml-100k").info["source"] == str(cache / "ml-100k")
    other = write_ml100k(tmp_path / "other")
    assert load_movielens("ml-100k", cache_dir=other).info["source"] == str(other / "ml-100k")


def test_data_dir_may_be_the_dataset_folder_itself(tmp_path):
    write_ml100k(tmp_path)
    d = load_movielens("ml-100k", data_dir=tmp_path / "ml-100k")
    assert d.info["source"] == str(tmp_path / "ml-100k") and d.n_users == 3


def test_random_split_needs_only_u_data(tmp_path):
    write_ml100k(tmp_path)
    (tmp_path / "ml-100k" / "u1.base").unlink()
    assert load_movielens("ml-100k", data_dir=tmp_path, split="random").n_users == 3
    with pytest.raises(DatasetNotFound, match="no u1.base, u1.test there"):
        load_movielens("ml-100k", data_dir=tmp_path, split="u1")


def test_not_found_message_lists_places_and_remedies(tmp_path):
    with pytest.raises(DatasetNotFound) as err:
        load_movielens("ml-100k", data_dir=tmp_path / "mine")
    msg = str(err.value)
    assert isinstance(err.value, FileNotFoundError)
    assert str(tmp_path / "mine" / "ml-100k") in msg
    assert "NEGSAMP_DATA_DIR: not set" in msg
    assert str(tmp_path / "empty-cache" / "ml-100k") in msg
    assert "--data-dir" in msg and "--download" in msg
    assert "https://files.grouplens.org/datasets/movielens/ml-100k.zip" in msg


def test_offline_download_fails_fast_with_instructions(tmp_path):
    start = time.monotonic()
    with pytest.raises(DownloadError) as err:
        load_movielens(
            "ml-100k", download=True, url="http://127.0.0.1:9/x.zip", cache_dir=tmp_path / "cache", progressbar=False
        )
    assert time.monotonic() - start < 5.0
    msg = str(err.value)
    assert isinstance(err.value, RuntimeError)
    assert "http://127.0.0.1:9/x.zip" in msg and "offline" in msg
    assert "--data-dir" in msg and "https://files.grouplens.org/datasets/movielens/ml-100k.zip" in msg
    assert not (tmp_path / "cache" / "ml-100k.zip").exists()


# ----------------------------------------------------------------------------- download from a local server
@pytest.fixture
def local_server(tmp_path):
    """Serve tmp_path/www over HTTP on 127.0.0.1; yields the base URL."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make_ml100k_zip(tmp_path: Path, out: Path) -> str:
    """Zip the handmade ml-100k folder like the official archive; returns its sha256."""
    src = write_ml100k(tmp_path / "zip-src") / "ml-100k"
    with zipfile.ZipFile(out, "w") as z:
        for f in sorted(src.iterdir()):
            z.write(f, f"ml-100k/{f.name}")
    return hashlib.sha256(out.read_bytes()).hexdigest()


class RecordingBar:
    """The progress-bar protocol pooch uses: total attribute, update, reset, close."""

    def __init__(self):
        self.total, self.updates, self.closed = None, [], False

    def update(self, n):
        self.updates.append(n)

    def reset(self):
        self.updates.clear()

    def close(self):
        self.closed = True


def test_download_verifies_unzips_caches_and_reports_progress(tmp_path, local_server, monkeypatch):
    www, base_url = local_server
    sha = make_ml100k_zip(tmp_path, www / "ml-100k.zip")
    monkeypatch.setitem(
        movielens_module.SOURCES, "ml-100k", dataclasses.replace(movielens_module.SOURCES["ml-100k"], sha256=sha)
    )
    bar, cache = RecordingBar(), tmp_path / "cache"
    d = load_movielens(
        "ml-100k", download=True, url=f"{base_url}/ml-100k.zip", cache_dir=cache, progressbar=bar, valid_fraction=0.0
    )
    assert d.info["source"] == str(cache / "ml-100k") and pairs(d.test) == {(0, 4), (1, 2), (2, 0)}
    assert bar.total == (www / "ml-100k.zip").stat().st_size and bar.updates == [bar.total] and bar.closed
    (www / "ml-100k.zip").unlink()  # server has nothing now: the second load must use the cache
    assert load_movielens("ml-100k", cache_dir=cache).n_items == 5
    shutil.rmtree(cache / "ml-100k")  # archive kept, folder gone: re-extracted without download
    assert (
        load_movielens(
            "ml-100k", download=True, url=f"{base_url}/ml-100k.zip", cache_dir=cache, progressbar=False
        ).n_items
        == 5
    )


def test_download_with_wrong_checksum_is_rejected(tmp_path, local_server):
    www, base_url = local_server
    make_ml100k_zip(tmp_path, www / "ml-100k.zip")  # not the official archive
    with pytest.raises(DownloadError, match="failed checksum verification"):
        load_movielens(
            "ml-100k", download=True, url=f"{base_url}/ml-100k.zip", cache_dir=tmp_path / "cache", progressbar=False
        )
    assert not (tmp_path / "cache" / "ml-100k.zip").exists()


def test_download_http_error(tmp_path, local_server):
    _, base_url = local_server
    with pytest.raises(DownloadError, match="404"):
        load_movielens(
            "ml-latest-small",
            split="random",
            download=True,
            url=f"{base_url}/missing.zip",
            cache_dir=tmp_path / "cache",
            progressbar=False,
        )


# ----------------------------------------------------------------------------- CSV: rejections
@pytest.mark.parametrize(
    "content, kwargs, phrase",
    [
        (b"", {}, "the file is empty"),
        (b"  \n\n", {}, "the file is empty"),
        (b"user,item\n", {}, "header (['user', 'item']) but no data rows"),
        (b'user,item\n1,"a\n2,b\n', {}, "could not parse the file as CSV"),
        (b"user,item\n1,2,3\n4,5\n", {}, "could not parse the file as CSV"),
        (b"PK\x03\x04\x00\x00binary", {}, "binary data"),
        (b"who,item\n1,2\n", {}, "no user column found (columns found: ['who', 'item'])"),
        (b"user,thing,rating\n1,2,5\n", {}, "no item column found (columns found: ['user', 'thing', 'rating'])"),
        (b"user,userId,item\n1,1,2\n", {}, "columns 'user' and 'userId' both look like the user column"),
        (b"user,item\n1,2\n,3\n2,4\n", {}, "1 row(s) have no user id in column 'user', first at row 3"),
        (b"user,item\n1,2\n1,\n", {}, "no item id in column 'item', first at row 3"),
        (b"user,item,rating\n1,2,4\n1,3,five\n", {}, "not numbers, e.g. 'five' at row 3"),
        (b"user,item,rating\n1,2,4\n1,3,\n", {}, "e.g. an empty value at row 3"),
        (b"user,item\n1,2\n1,3\n", {"threshold": 4}, "no rating column"),
        (b"user,item,rating\n1,2,3\n1,3,2.5\n", {"threshold": 4}, "ratings range from 2.5 to 3"),
        (b"user,item\n1,2\n2,2\n3,2\n4,2\n", {}, "only 1 distinct item"),
        (b"user,item,rating\n1,2,5\n2,2,5\n1,3,1\n", {"threshold": 4}, "only 1 distinct item"),
        (b"user,item\n1,2\n1,3\n1,2\n", {}, "the minimum is 3"),
        (
            b"user,item\n1,1\n1,2\n1,3\n2,1\n",
            {},
            "a user needs at least 10 positives (minimum); the most any user has is 3",
        ),
        (
            b"user,item,ts\n1,1,5\n1,2,yesterday\n1,3,7\n",
            {},
            "1 timestamp value(s) in column 'ts' are not numbers, e.g. 'yesterday' at row 3",
        ),
        (b"user,item,time\n1,1,2024-01-02\n1,2,\n1,3,2024-01-03\n", {}, "are not dates, e.g. an empty value at row 3"),
    ],
)
def test_csv_rejections_explain_the_problem(content, kwargs, phrase):
    with pytest.raises(CSVFormatError) as err:
        load_csv(io.BytesIO(content), **kwargs)
    assert phrase in str(err.value)
    assert isinstance(err.value, ValueError)


def test_csv_too_large(monkeypatch, tmp_path):
    monkeypatch.setattr(csv_module, "MAX_CSV_BYTES", 20)
    content = b"user,item\n1,2\n1,3\n1,4\n"
    with pytest.raises(CSVFormatError, match="larger than the limit of 20 bytes"):
        load_csv(io.BytesIO(content))
    small = b"user,item\n1,2\n1,3\n"  # 18 bytes: passes the size check, fails later
    with pytest.raises(CSVFormatError, match="the minimum is 3"):
        load_csv(io.BytesIO(small))
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    with pytest.raises(CSVFormatError, match="the limit is 20 bytes"):
        load_csv(path)


def test_csv_size_limit_constant():
    assert csv_module.MAX_CSV_BYTES == 50 * 1024 * 1024


def test_csv_missing_path():
    with pytest.raises(CSVFormatError, match="no such file"):
        load_csv("/nonexistent/interactions.csv")


# ----------------------------------------------------------------------------- CSV: good files
STRING_IDS = (
    "UserID;Movie_Id;Score;Title\n"
    "bob;zebra;5;Zebra Story\n"
    "alice;apple;4;Apple Pie\n"
    "bob;apple;2;\n"
    "carol;mango;4;Mango (1999)\n"
    "alice;apple;5;Apple Pie again\n"  # duplicate positive: counts once, first title wins
    "carol;zebra;3.9;\n"
)


def test_csv_string_ids_aliases_threshold_and_duplicates():
    d = load_csv(io.BytesIO(STRING_IDS.encode()), threshold=4, valid_fraction=0.0, test_fraction=0.0)
    assert d.user_names == ("alice", "bob", "carol")
    assert d.info["raw_item_ids"].tolist() == ["apple", "mango", "zebra"]
    assert d.item_names == ("Apple Pie", "Mango (1999)", "Zebra Story")
    assert pairs(d.train) == {(0, 0), (1, 2), (2, 1)}  # 2 and 3.9 < 4; 4 is inclusive
    assert d.info["columns"] == {"user": "UserID", "item": "Movie_Id", "rating": "Score", "title": "Title"}
    assert d.info["split"] == "random" and d.info["n_rows"] == 6
    everything = load_csv(io.StringIO(STRING_IDS), valid_fraction=0.0, test_fraction=0.0)
    assert everything.train.nnz == 5  # no threshold: every distinct row is a positive


def test_csv_numeric_ids_sort_numerically_and_path_source(tmp_path):
    path = tmp_path / "tab.tsv"
    path.write_text("user\titem\n10\t100\n9\t20\n100\t3\n9\t100\n")
    d = load_csv(path, valid_fraction=0.0, test_fraction=0.0)
    assert d.info["raw_user_ids"].tolist() == [9, 10, 100]
    assert d.info["raw_item_ids"].tolist() == [3, 20, 100]
    assert pairs(d.train) == {(1, 2), (0, 1), (2, 0), (0, 2)}
    assert d.item_names == ("3", "20", "100") and d.info["source"] == str(path)


def test_csv_with_timestamp_holds_out_latest():
    rows = [("u1", f"i{k}", 100 - k) for k in range(10)]  # file order is newest first
    rows += [("u2", f"i{k}", 1000 + k) for k in range(5)]  # 5 positives: floor(.5) = 0 held out
    text = "user,item,timestamp\n" + "".join(f"{u},{i},{t}\n" for u, i, t in rows)
    d = load_csv(io.StringIO(text))
    items = d.info["raw_item_ids"].tolist()
    assert d.info["split"] == "temporal"
    assert [items[i] for i in d.test.row(0)] == ["i0"]  # the latest (t=100)
    assert [items[i] for i in d.valid.row(0)] == ["i1"]  # the one before
    assert d.train.counts.tolist() == [8, 5] and d.valid.counts[1] == 0 and d.test.counts[1] == 0
    wider = load_csv(io.StringIO(text), valid_fraction=0.2, test_fraction=0.3)
    assert sorted(items[i] for i in wider.test.row(0)) == ["i0", "i1", "i2"]
    assert sorted(items[i] for i in wider.valid.row(0)) == ["i3", "i4"]
    assert wider.test.counts[1] == 1 and [items[i] for i in wider.test.row(1)] == ["i4"]
    assert_disjoint(wider)


def test_csv_with_iso_dates_and_duplicates_keep_earliest():
    text = (
        "user,item,time\n"
        "a,x,2024-03-01\n"
        "a,y,2024-01-01 10:00\n"
        "a,z,2024-02-01\n"
        "a,x,2023-12-01\n"  # repeat of (a, x): its earliest time counts, so x is the oldest
    )
    d = load_csv(io.StringIO(text), valid_fraction=0.0, test_fraction=0.34)
    items = d.info["raw_item_ids"].tolist()
    assert [items[i] for i in d.test.row(0)] == ["z"]
    assert sorted(items[i] for i in d.train.row(0)) == ["x", "y"]


def test_csv_random_split_is_seeded_and_complete():
    text = "user,item\n" + "".join(f"{u},{i}\n" for u in range(4) for i in range(u, u + 20, 2))
    a = load_csv(io.StringIO(text), seed=1)
    b = load_csv(io.StringIO(text), seed=1)
    assert pairs(a.valid) == pairs(b.valid) and pairs(a.test) == pairs(b.test)
    assert a.train.nnz + a.valid.nnz + a.test.nnz == 40
    assert a.valid.counts.tolist() == [1, 1, 1, 1] and a.test.counts.tolist() == [1, 1, 1, 1]
    assert_disjoint(a)


def test_csv_uploaded_file_is_reread_from_start_and_latin1_fallback():
    upload = io.BytesIO("user,item,title\n1,1,Café\n1,2,Naïve\n1,3,x\n2,1,\n".encode("latin-1"))
    upload.read()  # a previous reader left the position at the end
    d = load_csv(upload, valid_fraction=0.0, test_fraction=0.0)
    assert d.item_names == ("Café", "Naïve", "x")


# ----------------------------------------------------------------------------- real data (shared folder)
needs_ml100k = pytest.mark.skipif(
    not (SHARED_DATASETS / "ml-100k" / "u1.base").is_file(),
    reason=f"real MovieLens 100K not available at {SHARED_DATASETS / 'ml-100k'}",
)
needs_ml_latest = pytest.mark.skipif(
    not (SHARED_DATASETS / "ml-latest-small" / "ratings.csv").is_file(),
    reason=f"real MovieLens latest-small not available at {SHARED_DATASETS}",
)


@needs_ml100k
def test_real_ml100k_u1_matches_published_counts():
    d = load_movielens("ml-100k", data_dir=SHARED_DATASETS, split="u1")
    assert (d.n_users, d.n_items) == (943, 1682)
    assert d.train.nnz + d.valid.nnz == 44_140
    assert d.test.nnz == 11_235
    assert int((d.train.counts + d.valid.counts > 0).sum()) == 942
    assert int((d.test.counts > 0).sum()) == 456
    assert d.info["raw_user_ids"].tolist() == list(range(1, 944))
    assert d.info["raw_item_ids"].tolist() == list(range(1, 1683))
    assert d.item_names[0] == "Toy Story (1995)" and len(d.item_names) == 1682
    assert any("é" in t for t in d.item_names)  # u.item decoded as ISO-8859-1
    assert_disjoint(d)


@needs_ml100k
def test_real_ml100k_random_split_counts():
    d = load_movielens("ml-100k", data_dir=SHARED_DATASETS, split="random")
    assert (d.n_users, d.n_items) == (943, 1682)
    assert d.train.nnz + d.valid.nnz + d.test.nnz == 55_375


@needs_ml_latest
def test_real_ml_latest_small_counts():
    d = load_movielens("ml-latest-small", data_dir=SHARED_DATASETS, split="random")
    assert (d.n_users, d.n_items) == (610, 9724)
    assert d.train.nnz + d.valid.nnz + d.test.nnz == 48_580
    assert d.item_names[0] == "Toy Story (1995)"
    assert_disjoint(d)


def test_one_dispatch_threshold_only_where_there_are_ratings(tmp_path):
    from negsamp_core.data import DEFAULT_THRESHOLD, dataset_options, load_dataset

    rated = tmp_path / "rated.csv"
    rated.write_text(
        "user,item,rating\n" + "".join(f"{u},{i},{1 + (u + i) % 5}\n" for u in range(6) for i in range(12))
    )
    plain = tmp_path / "plain.csv"
    plain.write_text("user,item\n" + "".join(f"{u},{i}\n" for u in range(6) for i in range(12)))
    assert load_dataset("csv", csv=rated, min_positives_to_split=2).info["threshold"] == DEFAULT_THRESHOLD
    assert load_dataset("csv", csv=rated, threshold=2, min_positives_to_split=2).info["threshold"] == 2
    assert load_dataset("csv", csv=plain).info["threshold"] is None
    with pytest.raises(CSVFormatError, match="no rating column"):
        load_dataset("csv", csv=plain, threshold=4)
    with pytest.raises(ValueError, match="a split applies to ml-100k, ml-latest-small only"):
        load_dataset("csv", csv=plain, split="u1")
    with pytest.raises(ValueError, match="threshold applies"):
        load_dataset("synthetic", threshold=4)
    # harmless options are accepted everywhere; the app keeps only those a kind uses
    assert load_dataset("toy", data_dir=tmp_path, min_positives_to_split=10).n_users == 6
    assert dataset_options("toy", seed=1, threshold=4.0, split="u1", data_dir=None) == {"seed": 1}
    assert dataset_options("ml-100k", threshold=4.0, split="u1", csv=None) == {"threshold": 4.0, "split": "u1"}


def test_min_positives_to_split_reaches_every_loader(tmp_path):
    from negsamp_core.data import load_dataset

    default = load_dataset("synthetic", seed=2)
    ten = load_dataset("synthetic", seed=2, min_positives_to_split=10)
    assert pairs(default.valid) == pairs(ten.valid) and pairs(default.test) == pairs(ten.test)
    assert load_dataset("synthetic", seed=2, min_positives_to_split=2).n_valid_users > default.n_valid_users
    root = write_ml100k(tmp_path)
    d = load_dataset("ml-100k", data_dir=root, split="random", min_positives_to_split=2)
    assert d.info["min_positives_to_split"] == 2 and d.n_valid_users >= 1
