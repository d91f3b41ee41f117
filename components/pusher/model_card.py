"""The model card pushed beside a model: where it came from and how it scored. No TFX, no TensorFlow."""

from __future__ import annotations

from typing import Any

from components import features
from components.records import evaluation_results


def model_card(
    *,
    run_id: str | None,
    model_uri: str,
    model_id: int | None,
    baseline_model: str | None,
    evaluation_uri: str | None,
    provenance: dict[str, Any],
) -> dict[str, Any]:
    """The card's content (the push adds the version and the model's digest).

    Args:
      run_id: the pipeline run that pushed the model.
      model_uri: the Trainer's Model artifact; ``model_id`` its id in ML Metadata.
      baseline_model: the URI of the model the Evaluator compared with, if any.
      evaluation_uri: the Evaluator's ModelEvaluation folder, if any.
      provenance: data hashes, code version and configuration, fixed when the pipeline was built.
    """
    card: dict[str, Any] = {
        "run_id": run_id,
        "model": {"uri": model_uri, "artifact_id": model_id},
        **provenance,
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
