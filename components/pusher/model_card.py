"""The model card pushed beside a model: where it came from and how it scored. No TFX, no TensorFlow."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from typing import Any

from components.contract import features, files
from components.drift_gate import checks
from components.records import evaluation_results


def model_card(
    *,
    run_id: str | None,
    model_uri: str,
    model_id: int | None,
    baseline_model: str | None,
    evaluation_uri: str | None,
    provenance: dict[str, Any],
    training: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The card's content (the push adds the version and the model's digest).

    Args:
      run_id: the pipeline run that pushed the model.
      model_uri: the Trainer's Model artifact; ``model_id`` its id in ML Metadata.
      baseline_model: the URI of the model the Evaluator compared with, if any.
      evaluation_uri: the Evaluator's ModelEvaluation folder, if any.
      provenance: data hashes, code version and configuration, fixed when the pipeline was built.
      training: ``training_record(...)``: the spans trained on, their drift figures, the warm start.
    """
    card: dict[str, Any] = {
        "run_id": run_id,
        "model": {"uri": model_uri, "artifact_id": model_id},
        **provenance,
        **({"training": training} if training else {}),
    }
    if evaluation_uri:
        ev = evaluation_results.read_evaluation(evaluation_uri)
        card["evaluation"] = {
            "split": features.TEST_SPLIT,
            "examples": ev.example_count,
            "accuracy": ev.accuracy,
            "class_accuracy": {features.CLASS_NAMES[c]: a for c, a in ev.class_accuracy.items()},
            "thresholds": [f"{t.where}: {t.rule}" for t in ev.thresholds],
            "baseline_model": baseline_model,
            "baseline_accuracy": ev.baseline_accuracy,
        }
    return card


def on_device_record(conversion: dict[str, Any], saved_model_push: dict[str, Any] | None) -> dict[str, Any]:
    """The on-device model's part of its card: the quantization shipped, its size against the float model's,
    its eval-split accuracy against the SavedModel's, every candidate, and the SavedModel it was converted from
    (and where that was pushed, when the run pushed it)."""
    chosen = next(c for c in conversion["candidates"] if c["quantization"] == conversion["chosen"])
    return {
        "file": files.PUSHED_TFLITE_FILE,
        "quantization": conversion["chosen"],
        "size_bytes": chosen["size_bytes"],
        "float_size_bytes": conversion["float"]["size_bytes"],
        "eval_accuracy": chosen["accuracy"],
        "saved_model_eval_accuracy": conversion["reference_accuracy"],
        "agreement_with_saved_model": chosen["agreement"],
        "candidates": [conversion["float"], *conversion["candidates"]],
        "saved_model": {
            **conversion.get("saved_model", {}),
            **({"pushed": saved_model_push} if saved_model_push else {}),
        },
    }


@dataclasses.dataclass(frozen=True)
class TrainedSpan:
    """One span of the training window: its number, version, Examples artifact id, split summary (JSON) and the
    SHA-256 of the files it was ingested from (JSON, ``properties.SPAN_SHA256``)."""

    span: int
    version: int
    examples_id: int
    split_summary: str
    sha256: str = ""


def training_record(
    *, spans: Sequence[TrainedSpan], drift_reports: Sequence[str], model_uri: str
) -> dict[str, Any] | None:
    """What the model card says of the training data: each span of the window (whichever run ingested it) with
    its version, the hashes of its files, its examples and drift figures, and the warm start the Trainer
    recorded beside the model (files.WARM_START_FILE)."""
    if not spans:
        return None
    figures = {f.examples_id: f for text in drift_reports if text for f in checks.read_report(text)}
    rows = []
    for span in sorted(spans, key=lambda s: s.span):
        summary = json.loads(span.split_summary or "{}")
        figure = figures.get(span.examples_id)
        rows.append(
            {
                "span": span.span,
                "version": span.version,
                "examples_id": span.examples_id,
                "sha256": json.loads(span.sha256 or "null"),
                "examples": {split: s.get("count", 0) for split, s in sorted(summary.items())},
                "drift": figure.to_json() if figure else None,
            }
        )
    record: dict[str, Any] = {"spans": rows}
    warm_start_path = os.path.join(model_uri, files.WARM_START_FILE)
    if os.path.exists(warm_start_path):
        with open(warm_start_path) as f:
            record["warm_start"] = json.load(f)
    return record
