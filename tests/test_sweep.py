"""Sweeps: grid parsing, validation-only selection, resuming after an interruption, and identical
results with 1 and 2 local workers and on a local Ray (skipped without Ray)."""

from __future__ import annotations

import json

import pytest

from negsamp_core.cli import main
from negsamp_core.sweep import expand_cells, load_grid, run_sweep, summarize

GRID = """
dataset = "synthetic"
epochs = 2
seeds = [0, 1]
dim = 8
batch_size = 128
[dataset_options]
n_users = 60
n_items = 80
density = 0.3
[samplers.rns]
[samplers.dns]
candidates = [2, 6]
"""


def strip(results):
    """Cells without their timing (what must not depend on workers or backend)."""
    return [{k: v for k, v in c.items() if k != "seconds"} for c in results["cells"]]


def test_grid_parsing_and_cells():
    grid = load_grid(text=GRID)
    cells = expand_cells(grid)
    assert len(cells) == 6  # rns x 2 seeds + dns x 2 settings x 2 seeds
    assert {c["sampler"] for c in cells} == {"rns", "dns"}
    assert sorted({c["params"].get("candidates") for c in cells if c["sampler"] == "dns"}) == [2, 6]
    assert load_grid(text=GRID.replace("seeds = [0, 1]", "seeds = 3"))["seeds"] == [0, 1, 2]
    with pytest.raises(ValueError, match="unknown grid key"):
        load_grid(text="learning_rate = 1\n" + GRID)
    with pytest.raises(ValueError, match="no parameter"):
        load_grid(text=GRID + "\n[samplers.pns]\nbeta = [1]\n")
    with pytest.raises(ValueError, match="unknown sampler"):
        load_grid(text=GRID + "\n[samplers.xyz]\n")
    with pytest.raises(ValueError, match="seeds"):
        load_grid(text=GRID.replace("seeds = [0, 1]", "seeds = [1, 1]"))


def test_resume_after_interruption_and_workers_give_identical_results(tmp_path):
    grid = load_grid(text=GRID)
    out = tmp_path / "sweep.json"
    partial = run_sweep(grid, out=out, quiet=True, stop_after=2)  # "interrupted" after two cells
    assert len(partial["cells"]) == 2 and not partial["complete"]
    assert json.loads(out.read_text())["cells"] == partial["cells"]  # on disk as each cell ended
    first_two = strip(partial)
    resumed = run_sweep(grid, out=out, quiet=True)
    assert resumed["complete"] and len(resumed["cells"]) == 6
    assert strip(resumed)[:2] == first_two  # the finished cells were kept, not rerun
    kept = {json.dumps(c, sort_keys=True) for c in partial["cells"]}
    assert kept <= {json.dumps(c, sort_keys=True) for c in resumed["cells"]}  # same timings too: not rerun
    two = run_sweep(grid, out=tmp_path / "two.json", workers=2, quiet=True)
    assert strip(two) == strip(resumed)
    assert two["summary"] == resumed["summary"]


def test_selection_uses_validation_only(tmp_path):
    grid = load_grid(text=GRID)
    results = run_sweep(grid, out=tmp_path / "s.json", quiet=True)
    dns = results["summary"]["dns"]
    means = {r["params"]["candidates"]: r["valid"]["mean"] for r in dns["settings"]}
    assert dns["selected"]["candidates"] == max(means, key=means.get)
    assert dns["selected_on"] == "valid ndcg@10"
    assert set(dns["test"]) >= {"ndcg@10", "precision@5"} and "vs_rns" in dns
    # the test numbers summarised are those of the selected setting's cells
    chosen = [c for c in results["cells"] if c["sampler"] == "dns" and c["params"] == dns["selected"]]
    assert dns["test"]["ndcg@10"]["mean"] == pytest.approx(sum(c["test"]["ndcg@10"] for c in chosen) / 2)
    # flipping the test metrics of the other setting changes nothing in the selection
    other = [c for c in results["cells"] if c["sampler"] == "dns" and c["params"] != dns["selected"]]
    for c in other:
        c["test"] = {k: 1.0 for k in c["test"]}
    assert summarize(grid, results["cells"])["dns"]["selected"] == dns["selected"]


def test_cli_sweep(tmp_path, capsys):
    config = tmp_path / "grid.toml"
    config.write_text(GRID.replace("candidates = [2, 6]", "candidates = 3"))
    out = tmp_path / "cli.json"
    assert main(["sweep", "--config", str(config), "--seeds", "1", "--out", str(out), "--quiet"]) == 0
    results = json.loads(out.read_text())
    assert results["grid"]["seeds"] == [0] and len(results["cells"]) == 2
    assert "selected" in capsys.readouterr().out


def test_ray_gives_the_same_results_as_local_workers(tmp_path):
    pytest.importorskip("ray")
    grid = load_grid(text=GRID)
    local = run_sweep(grid, out=tmp_path / "local.json", quiet=True)
    on_ray = run_sweep(grid, out=tmp_path / "ray.json", workers=2, ray_address="local", quiet=True)
    assert strip(on_ray) == strip(local)
    assert on_ray["summary"] == local["summary"]
