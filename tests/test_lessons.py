"""Lessons: every lesson runs headless, returns the spec's JSON, and its verdicts are computed
from the run (they hold where the spec expects them to on the default world, across 3 seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from negsamp_core.data import make_synthetic
from negsamp_core.lessons import LESSONS, run_lesson, srns_premise

SPEC_KEYS = {"lesson", "holds", "figures", "prediction_choices", "answer", "epochs", "seed"}
SPEC_IDS = (
    "three-directions",
    "pns-popularity",
    "dns-candidates",
    "irgan-game",
    "false-negatives",
    "srns-variance",
    "cost",
)


@pytest.fixture(scope="module")
def seed0():
    return {lid: run_lesson(lid, seed=0) for lid in LESSONS}


def test_the_seven_lessons_of_the_spec_are_registered():
    assert tuple(LESSONS) == SPEC_IDS


@pytest.mark.parametrize("lesson_id", SPEC_IDS)
def test_lesson_returns_the_spec_json(seed0, lesson_id):
    result = seed0[lesson_id]
    assert SPEC_KEYS <= set(result)
    assert result["lesson"] == lesson_id and result["seed"] == 0
    assert result["answer"] in result["prediction_choices"]
    assert result["holds"] == all(c["holds"] for c in result["checks"])
    assert result["checks"] and all(c["text"] for c in result["checks"])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "lesson_id", ["three-directions", "dns-candidates", "pns-popularity", "srns-variance", "irgan-game"]
)
def test_verdicts_that_hold_on_the_default_world(seed0, lesson_id, seed):
    result = seed0[lesson_id] if seed == 0 else run_lesson(lesson_id, seed=seed)
    failed = [c["text"] for c in result["checks"] if not c["holds"]]
    assert result["holds"], failed


def test_dns_m1_is_rns_draw_for_draw(seed0):
    assert seed0["dns-candidates"]["figures"]["m1_equals_rns"] is True


def test_verdict_follows_the_run_not_a_script():
    """The same lesson on a world without popularity-biased exposure reads different figures."""
    a = run_lesson("srns-variance", seed=0)
    b = run_lesson("srns-variance", seed=0, world={"exposure_bias": 0.0})
    assert a["world"] == {} and b["world"] == {"exposure_bias": 0.0}
    assert a["figures"]["premise"]["p"] != b["figures"]["premise"]["p"]
    assert b["figures"]["premise"]["p"] < a["figures"]["premise"]["p"]  # popularity carried the signal


def test_chinese_verdicts_use_the_articles_terms():
    result = run_lesson("three-directions", seed=0, lang="zh")
    assert "伪负例" in result["verdict"] and "假负例" not in result["verdict"]
    assert result["answer"] in result["prediction_choices"] and result["why"]
    english = run_lesson("three-directions", seed=0)
    for key in ("fn_rate", "neg_score", "scores_per_epoch"):  # same run, other words (seconds vary)
        assert english["figures"][key] == result["figures"][key]


def test_every_check_has_a_sentence_in_both_languages(seed0):
    from negsamp_core.lessons import CHECK_TEXTS

    for key, texts in CHECK_TEXTS.items():
        assert set(texts) == {"en", "zh"}, key
        assert isinstance(texts["en"], tuple) == isinstance(texts["zh"], tuple), key


def test_unknown_lesson_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown lesson 'nope'; choose one of three-directions"):
        run_lesson("nope")


def test_srns_premise_known_answer():
    """Planted snapshots with constant training positives: when true negatives alternate and false
    negatives stay put, every matched pair has std_TN > std_FN (P = 1); swapping the roles gives P = 0."""
    ds = make_synthetic(seed=0, n_users=20, n_items=60)
    liked = np.zeros((ds.n_users, ds.n_items), dtype=bool)
    liked[ds.true_likes.rows, ds.true_likes.indices] = True
    train = np.zeros_like(liked)
    train[ds.train.rows, ds.train.indices] = True
    false_neg = liked & ~train

    def snapshots(moving: np.ndarray) -> list:
        out = []
        for t in range(4):
            s = np.ones(liked.shape)  # every candidate scores 1 on average
            s[moving] += 0.5 if t % 2 else -0.5
            s[train] = 0.0  # positives fixed, so rho moves only with the candidate's own score
            out.append(s)
        return out

    planted = srns_premise(snapshots(~liked), ds, top_share=1.0)  # true negatives fluctuate
    assert planted["n_pairs"] > 0 and planted["p"] == 1.0 and planted["p_ci95"] == [1.0, 1.0]
    assert srns_premise(snapshots(false_neg), ds, top_share=1.0)["p"] == 0.0  # false negatives fluctuate


def test_srns_premise_needs_two_snapshots():
    ds = make_synthetic(seed=0, n_users=20, n_items=60)
    with pytest.raises(ValueError, match="at least 2"):
        srns_premise([np.zeros((20, 60))], ds)


def test_two_group_world_gives_majority_and_minority():
    ds = make_synthetic(seed=0, minority_share=0.2)
    assert np.bincount(ds.user_groups).tolist() == [320, 80]
    assert make_synthetic(seed=0).user_groups is None
    # the majority observes more, so training popularity follows its half of the genres
    half = ds.item_groups >= 4
    assert ds.item_popularity[~half].sum() > 2 * ds.item_popularity[half].sum()
    with pytest.raises(ValueError, match="n_genres >= 2"):
        make_synthetic(seed=0, minority_share=0.2, n_genres=1)


def test_one_population_world_unchanged_by_the_group_knob():
    a, b = make_synthetic(seed=3), make_synthetic(seed=3, minority_share=0.0)
    assert np.array_equal(a.train.indices, b.train.indices) and np.array_equal(a.train.indptr, b.train.indptr)


def test_a_session_advances_in_ticks_and_gives_the_same_verdict_as_a_headless_run():
    from negsamp_core.lessons import LessonSession

    session = LessonSession("dns-candidates", seed=1, epochs=3)
    with pytest.raises(RuntimeError, match="not finished"):
        session.result()
    ticks = 0
    while not session.done:
        session.advance(max_steps=5)
        ticks += 1
    assert ticks > 1
    assert session.result()["figures"] == run_lesson("dns-candidates", seed=1, epochs=3)["figures"]


def test_cli_lesson_list_and_run(capsys):
    import json

    from negsamp_core.cli import main

    assert main(["lesson", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [entry["id"] for entry in listed] == list(SPEC_IDS)
    assert main(["lesson", "dns-candidates", "--seed", "0", "--epochs", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert SPEC_KEYS <= set(result) and result["epochs"] == 2
    assert main(["lesson", "three-directions", "--epochs", "2", "--lang", "zh"]) == 0
    assert "伪负例" in capsys.readouterr().out
