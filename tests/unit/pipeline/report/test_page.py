"""pipeline/report/page.py: the self-contained HTML report of a run."""

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.inspection import details, history
from pipeline.metadata import outcomes
from pipeline.report import page
from tests.support.run_details import not_blessed_run
from tests.support.span_runs import PIPELINE, FakeStore, five_runs


def test_report_has_every_section_and_real_charts():
    samples = {c: [np.full((28, 28), 20 * c, np.uint8)] for c in range(10)}
    d = not_blessed_run()
    row = history.RunRow(d.overview.run_id, d.overview.started, outcomes.PUSHED, "v", 0.9, 7, d.spans)
    rendered = page.render(d, samples=samples, runs_history=history.History("fashion_mnist", [row], []))
    for section in page.SECTIONS:
        assert f'<section id="{section}">' in rendered
    # durations, labels, pixels, training curves, per-class accuracy, confusion matrix, history
    assert rendered.count("<svg") == 7
    assert rendered.count('src="data:image/png;base64,') == 1
    assert "NOT BLESSED: overall: accuracy fell" in rendered
    # Self-contained: nothing for the browser to fetch (SVG namespace URIs are names, not requests).
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", rendered)
    assert "<script" not in rendered and "<link" not in rendered


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_the_report_shows_each_span_its_drift_and_what_the_model_trained_on(store: FakeStore):
    rendered = page.render(details.details(store, "r5"), runs_history=history.history(store, PIPELINE))
    assert "<td>span 3 train</td><td>2975</td>" in rendered and "<td>test</td><td>1000</td>" in rendered
    assert "<p>No new span (reused span 3, ingested by an earlier run).</p>" in rendered
    assert "<h3>Trained on</h3>" in rendered and "<td>span 2</td><td>18</td><td>2975</td><td>25</td>" in rendered
    assert "Warm start: from /root/model/26, 1 epoch." in rendered
    assert '<section id="history">' in rendered


def test_the_report_shows_the_warnings_about_the_data_of_the_run():
    """Issue 25, defects 1 and 6: a skipped folder, a trained span gone from DATA_DIR."""
    d = not_blessed_run()
    ingestion = dataclasses.replace(d.spans.ingestion, warnings=("/d/Span-4: not a span folder", "/d/span-1: gone"))
    d = dataclasses.replace(d, spans=dataclasses.replace(d.spans, ingestion=ingestion))
    rendered = page.render(d)
    assert "<ul><li>Warning: /d/Span-4: not a span folder</li><li>Warning: /d/span-1: gone</li></ul>" in rendered
