"""The text catalogue: every key used exists in both languages, every key is used, and the Chinese
uses the source article's terms. Keys are read from the source with ``ast`` (no Streamlit run)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import lab_ui.learn  # noqa: E401,F401  (register the lesson texts)
import lab_ui.lesson_view
import lab_ui.present
import lab_ui.sampler_views  # noqa: F401  (registers the views' texts)
from lab_ui.i18n import catalogue, owner_of
from lab_ui.sampler_views import VIEWS
from lab_ui.sampler_views.base import TEXT_ROLES
from negsamp_core.samplers import SAMPLERS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "lab_ui").rglob("*.py"))]
LOOKUPS = {"t", "tr"}  # lab_ui.i18n.t and the pages' ``tr = ctx.t``


def _is_message(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_m"


def _scan(path: Path) -> tuple[set[str], list[tuple[str, int, str]]]:
    """(string constants outside catalogue definitions, [(kind, line, key)] of lookup calls)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            defined |= {id(k) for k, v in zip(node.keys, node.values) if k is not None and _is_message(v)}
    constants, calls = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in defined:
            constants.add(node.value)
        if isinstance(node, ast.Call) and node.args:
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if func in LOOKUPS:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    calls.append(("literal", node.lineno, first.value))
                elif isinstance(first, (ast.JoinedStr, ast.BinOp)):
                    calls.append(("built", node.lineno, ast.unparse(first)))
    return constants, calls


@pytest.fixture(scope="module")
def scanned():
    constants, calls = set(), []
    for path in SOURCES:
        c, k = _scan(path)
        constants |= c
        calls += [(kind, f"{path.relative_to(ROOT)}:{line}", key) for kind, line, key in k]
    return constants, calls


def _param_keys() -> set[str]:
    """Keys built by i18n.param_label / param_help / param_paper for the registered samplers' parameters."""
    return {
        f"{prefix}_{name}_{spec.name}"
        for name, cls in SAMPLERS.items()
        for spec in cls.PARAMS
        for prefix in ("param", "help", "paper")
    }


def test_every_text_exists_in_both_languages_with_the_same_fields():
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    for key, entry in catalogue().items():
        assert set(entry) == {"en", "zh"} and entry["en"].strip() and entry["zh"].strip(), key
        assert fields(entry["en"]) == fields(entry["zh"]), key


def test_every_key_looked_up_exists_and_no_key_is_built_at_run_time(scanned):
    _, calls = scanned
    texts = catalogue()
    missing = [(where, key) for kind, where, key in calls if kind == "literal" and key not in texts]
    built = [(where, key) for kind, where, key in calls if kind == "built"]
    assert calls and not missing, missing
    assert not built, f"write the keys out (a dict or tuple of literal keys) so this test can see them: {built}"


def test_every_key_is_used(scanned):
    constants, _ = scanned
    unused = sorted(set(catalogue()) - constants - _param_keys())
    assert not unused, f"dead catalogue keys (remove them or use them): {unused}"


def test_every_parameter_of_a_viewed_sampler_has_a_translated_label():
    texts = catalogue()
    missing = [f"param_{n}_{s.name}" for n in VIEWS for s in SAMPLERS[n].PARAMS if f"param_{n}_{s.name}" not in texts]
    assert not missing, missing


def test_a_views_texts_are_registered_by_the_view_itself():
    for name, view in VIEWS.items():
        assert set(view.texts) <= set(TEXT_ROLES), name
        for key in view.texts.values():
            assert owner_of(key) == f"lab_ui.sampler_views.{name}", key
        assert view.text("draws", "zh") and view.text("draws", "en")


def test_chinese_uses_the_articles_terms():
    # 伪负例 (false negative) as in the source article, never 假负例; 采样质量 / 采样偏差 / 采样效率.
    zh = "\n".join(entry["zh"] for entry in catalogue().values())
    assert "假负例" not in zh
    assert "伪负例" in zh and all(term in zh for term in ("采样质量", "采样偏差", "采样效率"))
    en_fn = [k for k, e in catalogue().items() if re.search(r"false.negative", e["en"], re.I)]
    assert en_fn and all("伪负例" in catalogue()[k]["zh"] for k in en_fn), [
        k for k in en_fn if "伪负例" not in catalogue()[k]["zh"]
    ]


def test_chinese_uses_the_articles_words_for_hard_negatives_samples_and_families():
    # The seed's terms: 强负例 (hard negative), 正例 / 负例 (not 正样本 / 负样本), 生成器 / 判别器,
    # 启发式负采样 / 基于模型的负采样; "tick" is 刷新, not 拍; no emoji-only live/reset marks.
    texts = catalogue()
    zh = "\n".join(entry["zh"] for entry in texts.values())
    assert "强负例" in zh and "困难负" not in zh and "困难的真负例" not in zh
    assert "正样本" not in zh and "负样本" not in zh
    assert "判别器" in texts["irgan_draws"]["zh"] and "discriminator" in texts["irgan_draws"]["en"]
    assert "启发式负采样" in texts["family_heuristic"]["zh"] and "基于模型的负采样" in texts["family_model"]["zh"]
    assert "拍" not in zh
    assert not any(mark in e[lang] for e in texts.values() for lang in e for mark in ("🟢", "🔴"))
    assert "真实数据没有真实偏好" not in texts["fn_definition_heldout"]["zh"]
    assert "采样概率" in texts["pns_chart"]["zh"]
    assert "{x}" not in texts["chart_convergence_seconds"]["en"] and "秒数的" not in zh


def test_samplers_have_full_names_and_paper_values_in_both_languages():
    for name, view in VIEWS.items():
        en, zh = view.full_name("en"), view.full_name("zh")
        assert en.startswith(name.upper()) and zh.startswith(name.upper()) and en != zh, name
        for spec in SAMPLERS[name].PARAMS:
            if spec.paper not in ("", "-"):
                assert f"paper_{name}_{spec.name}" in texts_of(), (name, spec.name)
    assert VIEWS["dns"].full_name("zh") == "DNS · 动态采样"


def texts_of() -> dict:
    return catalogue()
