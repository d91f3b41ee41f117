"""make inspect, the model card, make report (in headless Chromium), the notebook and TensorBoard, on the smoke runs."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from components.serving_canary import mistakes
from data import sources
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Runs, launch_chromium
from tests.support.pipeline_nodes import NODE_ORDER, UPSTREAM_OF_MODEL

pytestmark = pytest.mark.e2e

ARTIFACTS_DIR = REPO_ROOT / "output" / "test-artifacts"


def inspect(runs: Runs, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.inspection.cli", *args, f"--output-dir={runs.config.output_dir}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def inspect_json(runs: Runs, *args: str):
    done = inspect(runs, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _first_two(runs: Runs) -> tuple[dict, dict]:
    """The fixture's two runs (other e2e modules add later runs to the same store)."""
    listed = inspect_json(runs, "runs")
    return listed[-1], listed[-2]


def test_runs_lists_the_runs_newest_first_with_each_component(runs: Runs):
    listed = inspect_json(runs, "runs")
    assert {r["pipeline"] for r in listed} == {runs.config.model_name} and len(listed) >= 2
    assert [r["started"] for r in listed] == sorted((r["started"] for r in listed), reverse=True)
    oldest, newest = _first_two(runs)
    assert oldest["outcome"] == "pushed" and oldest["reason"].startswith("version ")
    assert sorted(n["node_id"] for n in oldest["nodes"]) == sorted(NODE_ORDER)
    assert all(n["state"] == "done" and n["seconds"] >= 0 for n in oldest["nodes"])
    cached = {n["node_id"] for n in newest["nodes"] if n["state"] == "cached"}
    assert cached >= UPSTREAM_OF_MODEL
    assert newest["outcome"] in ("already served", "pushed")
    text = inspect(runs, "runs").stdout
    assert f"{oldest['run_id']}  {runs.config.model_name}" in text and "    Trainer " in text


def test_show_reports_data_evaluation_and_decision(runs: Runs):
    first_run = _first_two(runs)[0]["run_id"]
    shown = inspect_json(runs, "show", first_run)
    splits = {s["name"]: s for s in shown["splits"]}
    assert splits["test"]["count"] == 1000 and splits["eval"]["count"] == 500
    assert splits["train"]["label_counts"] == [300] * 10
    assert splits["train"]["pixel_min"] == 0 and splits["train"]["pixel_max"] == 255
    assert 60 < splits["train"]["pixel_mean"] < 85, "Fashion-MNIST's mean pixel is about 72.9"
    assert any(line.startswith("image: BYTES") for line in shown["schema"])
    assert shown["anomalies"] == []
    ev = shown["evaluation"]
    assert 0.5 <= ev["accuracy"] <= 1 and len(ev["class_accuracy"]) == 10 and ev["example_count"] == 1000
    assert sum(map(sum, ev["confusion_matrix"])) == 1000
    assert any(t["rule"].startswith("SparseCategoricalAccuracy >= ") for t in ev["thresholds"])
    decision = shown["decision"]
    assert decision["blessed"] is True and decision["canary_ok"] is True
    assert decision["pushed_path"] == str(runs.config.model_serving_dir / runs.versions_after_first[0])
    uris = {a["type"]: a["uri"] for a in shown["artifacts"]}
    assert {"Examples", "ExampleStatistics", "Schema", "Model", "ModelEvaluation", "PushedModel"} <= set(uris)
    assert all(Path(uri).exists() for uri in uris.values())
    text = inspect(runs, "show", first_run).stdout
    assert "decision:\n" in text and "  BLESSED: every threshold held" in text


def test_lineage_reaches_the_raw_files_and_matches_the_model_card(runs: Runs):
    version = runs.versions_after_first[0]
    lineage = inspect_json(runs, "lineage", version)
    nodes = [step["node_id"] for step in lineage["steps"]]
    assert nodes[0] == "Pusher"
    assert {"Evaluator", "ServingCanary", "Trainer", "Transform", "FashionMnistExampleGen"} <= set(nodes)
    assert lineage["raw_files"] == sources.OFFICIAL_SHA256
    code = lineage["provenance"]["code"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    assert code["commit"] == (head or None) and code["dirty"] in (True, False, None)
    assert lineage["provenance"]["config"]["profile"] == "smoke"

    card = json.loads((runs.config.model_serving_dir / version / "assets.extra" / "model_card.json").read_text())
    assert card["run_id"] == lineage["provenance"]["run_id"]
    data = card["data"]
    assert {**data["test_sha256"], **data["spans_ingested"]["1"]["sha256"]} == sources.OFFICIAL_SHA256
    assert data["spans_ingested"]["1"]["folder"] == "." and [s["span"] for s in card["training"]["spans"]] == [1]
    assert card["code"] == code and card["version"] == int(version)
    shown = inspect_json(runs, "show", card["run_id"])
    assert card["evaluation"]["accuracy"] == shown["evaluation"]["accuracy"]
    assert card["evaluation"]["thresholds"]

    text = inspect(runs, "lineage", version).stdout
    assert "train-images-idx3-ubyte.gz  c59f468a2f672dc8" in text


def test_unknown_run_and_version_are_one_line_errors(runs: Runs):
    for args, message in (
        (("show", "no-such-run"), "error: no run 'no-such-run'; `inspect runs` lists them"),
        (("lineage", "12345"), "error: no pushed model version 12345 in this store"),
    ):
        done = inspect(runs, *args)
        assert done.returncode == 1
        assert done.stderr.startswith(message) and done.stderr.count("\n") == 1
        assert done.stdout == ""


def test_report_renders_in_headless_chromium(runs: Runs):
    from playwright.sync_api import sync_playwright

    first_run = _first_two(runs)[0]["run_id"]
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.report.page", first_run, f"--output-dir={runs.config.output_dir}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = Path(done.stdout.strip())
    assert report.parent == runs.config.output_dir / "reports" and report.suffix == ".html"

    from pipeline.report.page import SECTIONS

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            sections = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
            charts = page.eval_on_selector_all("section svg", "els => els.length")
            broken_images = page.eval_on_selector_all(
                "img", "els => els.filter(i => !i.complete || i.naturalWidth === 0).length"
            )
            images = page.eval_on_selector_all("img", "els => els.length")
            pairs = page.eval_on_selector_all("#mistakes h3.pair", "els => els.map(e => e.textContent)")
            gallery = page.eval_on_selector_all("#mistakes img", "els => els.length")
            verdict = page.inner_text("#decision .verdict")
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS_DIR / "report.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert sections == list(SECTIONS)
    assert charts >= 6, "durations, labels, pixels, training curves, per-class accuracy, confusion matrix"
    # The samples, and one row per confusion pair of the smoke model's most confident test mistakes.
    assert len(pairs) == gallery == mistakes.PAIRS and images == 1 + gallery and broken_images == 0
    assert all(re.fullmatch(r"true [\w/ -]+, predicted [\w/ -]+: \d+ mistakes", text) for text in pairs), pairs
    assert verdict.startswith(f"PUSHED: version {runs.versions_after_first[0]} at ")
    assert (ARTIFACTS_DIR / "report.png").stat().st_size > 50_000


def test_the_notebook_runs_headless(runs: Runs):
    import nbclient
    import nbformat

    notebook = nbformat.read(REPO_ROOT / "notebooks" / "explore_latest_run.ipynb", as_version=4)
    first_run = _first_two(runs)[0]["run_id"]
    os.environ["FASHION_MNIST_OUTPUT_DIR"] = str(runs.config.output_dir)
    os.environ["FASHION_MNIST_RUN"] = first_run
    try:
        nbclient.NotebookClient(
            # As JupyterLab runs it: from the notebooks folder.
            notebook,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(REPO_ROOT / "notebooks")}},
        ).execute()
    finally:
        del os.environ["FASHION_MNIST_OUTPUT_DIR"], os.environ["FASHION_MNIST_RUN"]
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert f"run {first_run}" in text and "validation ok: True" in text and "HTML report: " in text
    kinds = {key for o in outputs for key in o.get("data", {})}
    assert {"text/html", "image/svg+xml", "application/vnd.jupyter.widget-view+json"} <= kinds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, deadline: float) -> dict:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def test_make_tensorboard_serves_the_latest_training_logs(runs: Runs):
    logdir = inspect(runs, "logdir").stdout.strip()
    assert list(Path(logdir).rglob("events.out.tfevents.*")), "the Trainer's TensorBoard callback wrote events"
    port = _free_port()
    server = subprocess.Popen(
        ["make", "-s", "tensorboard", f"OUTPUT_DIR={runs.config.output_dir}", f"TB_PORT={port}"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        environment = _get_json(f"http://127.0.0.1:{port}/data/environment", time.monotonic() + 120)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert environment["data_location"] == logdir
