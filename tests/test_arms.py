"""Arms: variants of one sampler side by side in one Comparison, and their text form (URLs)."""

from __future__ import annotations

import numpy as np
import pytest

from negsamp_core.arms import Arm, as_arms, default_label, encode_arms, parse_arms
from negsamp_core.compare import Comparison
from negsamp_core.config import TrainConfig

SMALL = TrainConfig(dim=8, batch_size=64, epochs=2)
TIMING = {
    "sample_seconds",
    "train_seconds",
    "eval_seconds",
    "diag_seconds",
    "elapsed_seconds",
    "epoch_seconds",
    "n_scores",
    "sampler_stats",
}


def _same(a, b) -> bool:
    """Two epoch records equal in everything but timings and the sampler's own statistics."""
    da, db = a.to_dict(), b.to_dict()
    return all(
        np.array_equal(np.asarray(da[k], dtype=object), np.asarray(db[k], dtype=object))
        if isinstance(da[k], (list, tuple))
        else da[k] == db[k]
        for k in da
        if k not in TIMING
    )


def test_two_dns_arms_differ_and_m1_reproduces_rns_exactly(small_world):
    arms = [Arm("RNS", "rns"), Arm("DNS M=1", "dns", {"candidates": 1}), Arm("DNS M=8", "dns", {"candidates": 8})]
    comparison = Comparison(small_world, arms, SMALL, seed=4)
    assert list(comparison.trainers) == ["RNS", "DNS M=1", "DNS M=8"]
    assert comparison.trainers["DNS M=1"].sampler.params["candidates"] == 1
    assert comparison.trainers["DNS M=8"].sampler.params["candidates"] == 8
    comparison.run_steps(3)
    last = {label: t.sampler.last["negatives"].copy() for label, t in comparison.trainers.items()}
    assert np.array_equal(last["RNS"], last["DNS M=1"])
    assert not np.array_equal(last["DNS M=1"], last["DNS M=8"])
    comparison.run_for(float("inf"))
    h = comparison.histories
    assert len(h["RNS"]) == len(h["DNS M=1"]) == SMALL.epochs
    assert all(_same(a, b) for a, b in zip(h["RNS"], h["DNS M=1"]))
    assert h["DNS M=8"][-1].hardness_mean > h["DNS M=1"][-1].hardness_mean


def test_plain_names_keep_working_and_shared_params_sit_under_an_arms_own(small_world):
    comparison = Comparison(
        small_world,
        ["rns", "dns", Arm("DNS M=2", "dns", {"candidates": 2})],
        SMALL,
        sampler_params={"dns": {"candidates": 4}},
        seed=1,
    )
    assert list(comparison.trainers) == ["rns", "dns", "DNS M=2"]
    assert comparison.trainers["dns"].sampler.params["candidates"] == 4
    assert comparison.trainers["DNS M=2"].sampler.params["candidates"] == 2
    assert comparison.arms["dns"].plain and not comparison.arms["DNS M=2"].plain


def test_bad_arms_are_refused_with_a_message():
    with pytest.raises(ValueError, match="two different arms"):
        as_arms([Arm("x", "dns", {"candidates": 1}), Arm("x", "dns", {"candidates": 2})])
    with pytest.raises(ValueError, match="no parameter"):
        as_arms([Arm("x", "dns", {"m": 1})])
    with pytest.raises(ValueError, match="unknown sampler"):
        as_arms(["nope"])


def test_text_form_round_trips():
    arms = parse_arms("dns:candidates=1;dns:candidates=8; srns:alpha=5,warmup=2;rns")
    assert [a.label for a in arms] == ["DNS candidates=1", "DNS candidates=8", "SRNS alpha=5, warmup=2", "RNS"]
    assert default_label("dns", {}) == "DNS candidates=8"
    assert arms[0].params == {"candidates": 1} and isinstance(arms[0].params["candidates"], int)
    assert parse_arms(encode_arms(arms)) == arms
    assert encode_arms(arms) == "dns:candidates=1;dns:candidates=8;srns:alpha=5,warmup=2;rns"
    assert default_label("dns", {"candidates": 8}, lambda s, p: "M") == "DNS M=8"  # the default M is still shown


@pytest.mark.parametrize(
    "text",
    [
        "",
        ";;",
        "nope:candidates=1",
        "dns:candidates",
        "dns:candidates=abc",
        "dns:candidates=0",
        "dns:m=3",
        "dns:=3",
        ";".join(["rns"] * 13),
        "dns:candidates=1e999",
    ],
)
def test_malformed_text_raises_value_error(text):
    with pytest.raises(ValueError):
        parse_arms(text)
