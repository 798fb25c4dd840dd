"""Memory of a run's history: an EpochRecord's four histograms are stored compactly (issue 9,
"Bounded memory": as tuples of Python ints they were ~8 KB of each record, and every session of a
class keeps every record of its five samplers), with the interface of the tuples they replace."""

from __future__ import annotations

import copy
import json
import pickle
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from negsamp_core.config import TrainConfig
from negsamp_core.diagnostics import Counts
from negsamp_core.results import to_jsonable
from negsamp_core.training import Trainer

HISTS = ("neg_score_hist", "pos_score_hist", "uniform_score_hist", "neg_popularity_hist")


@pytest.fixture(scope="module")
def records(small_world):
    trainer = Trainer(small_world, "dns", TrainConfig(dim=8, batch_size=64, epochs=2, score_bins=64), seed=3)
    trainer.run_epochs()
    return trainer.history


def test_epoch_record_histograms_are_compact(records):
    for r in records:
        for name in HISTS:
            h = getattr(r, name)
            assert isinstance(h, Counts) and not isinstance(h, tuple)
        assert len(r.neg_score_hist) == 64
        assert len(r.neg_score_hist._data) == 64 * np.dtype(r.neg_score_hist._code).itemsize
    assert Counts([0, 255])._data == bytes([0, 255])  # the smallest type that holds the counts: uint8
    assert [len(Counts([0, top])._data) for top in (255, 256, 2**16, 2**32)] == [2, 4, 8, 16]
    # 100 histograms of 64 counts between 1,000 and 1,163 (ints a tuple cannot share): under 300 B
    # each (uint16), where a tuple of Python ints takes 64 * 8 + 56 + 64 * 28 = 2,360 B
    values = [np.arange(1000, 1064, dtype=np.int64) + i for i in range(100)]
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        kept = [Counts(v) for v in values]
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    per_hist = sum(d.size_diff for d in after.compare_to(before, "filename")) / len(kept)
    assert per_hist < 300, per_hist


def test_counts_behave_as_the_tuple_they_replace():
    c = Counts(np.array([0, 3, 5, 0], dtype=np.int64))
    assert len(c) == 4 and c[1] == 3 and c[-1] == 0 and type(c[2]) is int
    assert list(c) == [0, 3, 5, 0] and sum(c) == 8 and max(c) == 5 and 5 in c and c.index(5) == 2
    assert c == (0, 3, 5, 0) and c == [0, 3, 5, 0] and c == Counts([0, 3, 5, 0]) and (0, 3, 5, 0) == c
    assert c != (0, 3, 5) and c != (0, 3, 5, 1) and c != Counts([0, 3, 5]) and c != "0350"
    assert c[1:3] == (3, 5) and list(reversed(c)) == [0, 5, 3, 0]
    a = np.asarray(c)
    assert a.dtype == np.int64 and a.tolist() == [0, 3, 5, 0] and not a.flags.writeable
    assert (np.asarray(Counts([200, 100])) * 2).tolist() == [400, 200]  # stored as uint8, no wrap-around
    assert (np.asarray(c, dtype=float) / 8).tolist() == [0.0, 0.375, 0.625, 0.0]
    assert hash(c) == hash((0, 3, 5, 0))
    with pytest.raises(AttributeError):
        c._data = b""
    for bad in ([-1, 2], [[1, 2]], [0.5]):
        with pytest.raises(ValueError):
            Counts(bad)
    assert len(Counts()) == 0 and list(Counts()) == [] and Counts() == ()
    big = Counts([2**40, 1])
    assert big[0] == 2**40 and sum(big) == 2**40 + 1 and big == Counts(np.array([2**40, 1], dtype=np.uint64))
    assert Counts([1, 2]) == Counts(np.array([1, 2], dtype=np.int64)) and Counts([3]) != Counts([300])


def test_epoch_records_with_compact_histograms_compare_pickle_and_export(records):
    r = records[-1]
    same = replace(r, **{name: Counts(list(getattr(r, name))) for name in HISTS})
    assert same == r
    assert replace(r, neg_score_hist=Counts([0] * 64)) != r
    assert copy.copy(r) == r and copy.deepcopy(r.neg_score_hist) == r.neg_score_hist
    for name in HISTS:  # the sweep's processes pickle what they send back
        h = getattr(r, name)
        assert pickle.loads(pickle.dumps(h)) == h and type(pickle.loads(pickle.dumps(h))) is Counts
    d = r.to_dict()
    for name in HISTS:
        assert type(d[name]) is list and all(type(x) is int for x in d[name])
        assert d[name] == list(getattr(r, name))
    assert json.loads(json.dumps(d, default=str))["neg_score_hist"] == d["neg_score_hist"]
    assert to_jsonable({"h": r.neg_popularity_hist}) == {"h": list(r.neg_popularity_hist)}
    assert sum(r.pos_score_hist) == r.n_pairs
