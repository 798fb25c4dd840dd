"""The batched diagnostics give the same epoch figures whatever the flush and probe block sizes."""

from __future__ import annotations

import pytest

from negsamp_core.config import TrainConfig
from negsamp_core.diagnostics import EpochDiagnostics
from negsamp_core.training import Trainer


def history(world, flush, block, monkeypatch):
    monkeypatch.setattr(EpochDiagnostics, "FLUSH_ROWS", flush)
    monkeypatch.setattr(EpochDiagnostics, "PROBE_BLOCK", block)
    trainer = Trainer(world, "dns", TrainConfig(dim=8, batch_size=64, epochs=2, n_negatives=2), seed=4)
    trainer.run_epochs()
    return [r.to_dict() for r in trainer.history]


def test_flush_and_probe_blocks_do_not_change_the_figures(synthetic, monkeypatch):
    every_batch = history(synthetic, 1, 1, monkeypatch)  # a flush per batch, one probe draw at a time
    batched = history(synthetic, 1 << 20, 1 << 16, monkeypatch)  # one flush per epoch
    skip = {"sample_seconds", "train_seconds", "eval_seconds", "diag_seconds", "elapsed_seconds"}
    for a, b in zip(every_batch, batched):
        for key in a:
            if key in skip:
                continue
            if isinstance(a[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-12), key
            else:
                assert a[key] == b[key], key


def test_stand_in_has_the_requested_distinct_pairs():
    from negsamp_core.bench import stand_in

    ds = stand_in(50, 40, 1500, seed=1)
    assert ds.train.nnz + ds.valid.nnz == 1500 and ds.train.nnz == 1350
