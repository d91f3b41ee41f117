"""The report's gallery of the test images the model gets most confidently wrong, by confusion pair.

The serving canary scored the whole test split through ``serving_default`` and kept the mistakes
(components/serving_canary/mistakes.py); the images come from the run's test examples.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np

from components.contract import artifact_types, features, keys
from components.serving_canary import mistakes as mistakes_lib
from pipeline import node_ids
from pipeline.inspection import samples
from pipeline.inspection.details import RunDetails
from pipeline.report import charts

Gallery = tuple[mistakes_lib.Mistakes, dict[int, np.ndarray]]


def gallery(d: RunDetails) -> Gallery | None:
    """The run's mistakes and their images; None when its canary kept none (it failed, or predates them)."""
    canary = next(
        (a for a in d.artifacts if a.node == node_ids.CANARY and a.type == artifact_types.INFRA_BLESSING), None
    )
    test = next((a for a in d.artifacts if a.node == node_ids.EXAMPLE_GEN and a.key == keys.TEST_EXAMPLES_KEY), None)
    if canary is None or test is None:
        return None
    found = mistakes_lib.read(Path(canary.uri))
    if found is None or not Path(test.uri).is_dir():
        return None
    return found, samples.images_at(test.uri, features.TEST_SPLIT, {m.index for m in found.shown})


def mistakes_section(found: Gallery | None) -> list[str]:
    head = '<section id="mistakes"><h2>Most confident mistakes (test split)</h2>'
    if found is None:
        return [head, "<p>Not recorded: the serving canary keeps them for a model that serves.</p>", "</section>"]
    record, images = found
    parts = [
        head,
        f"<p>{record.wrong:,} of {record.scored:,} test images wrong, scored through <code>serving_default</code> "
        f"as a client calls it. The {len(record.pair_counts)} confusion pairs with the most mistakes, each with "
        "its most confident ones: the probability the model gave the wrong class under each image.</p>",
    ]
    for (true_class, predicted), count in record.pair_counts.items():
        group = [
            m for m in record.shown if (m.true_class, m.predicted) == (true_class, predicted) and m.index in images
        ]
        true_name, predicted_name = features.CLASS_NAMES[true_class], features.CLASS_NAMES[predicted]
        title = f"true {true_name}, predicted {predicted_name}"
        parts.append(f'<h3 class="pair">{escape(title)}: {count} mistakes</h3>')
        if group:
            figure = charts.mistakes_figure([images[m.index] for m in group], [f"{m.confidence:.2f}" for m in group])
            parts.append(f'<img alt="{escape(title)}" src="{figure}">')
    parts.append("</section>")
    return parts
