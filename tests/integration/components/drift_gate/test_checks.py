"""components/drift_gate/checks.py against TFDV: the pure label figure is the one TFDV's L-infinity comparator reports.

The drift gate measures the label distributions with ``checks.label_linf`` on the exact counts of a span
profile. TFDV's drift comparator, on the schema's ``label`` feature, is the reference: these tests hold the
two together, on statistics TFDV computes from the same counts (as the gate's executor once measured it).
"""

from typing import Any

import numpy as np
import pandas as pd
import pytest
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2

from components.contract import features
from components.drift_gate import checks
from pipeline.config import SCHEMA_PATH

PER_CLASS = 20
BALANCED = np.repeat(np.arange(10), PER_CLASS)
# 20 more of class 0: its share goes from 0.10 to 40/220 = 0.18, beyond the schema's 0.05.
LABEL_SHIFTED = np.concatenate([BALANCED, np.zeros(PER_CLASS, dtype=np.int64)])
# 5 more of class 2: its share goes from 0.10 to 25/205 = 0.12, within the threshold.
SLIGHTLY_SHIFTED = np.concatenate([BALANCED, np.full(5, 2)])


def label_schema(schema: schema_pb2.Schema) -> schema_pb2.Schema:
    """The schema of ``label`` alone, with its drift comparator."""
    only = schema_pb2.Schema()
    for feature in schema.feature:
        if feature.name == features.LABEL_KEY:
            only.feature.add().CopyFrom(feature)
    return only


def tfdv_label_linf(
    schema: schema_pb2.Schema, current: tuple[int, ...], previous: tuple[int, ...]
) -> tuple[float, float]:
    """(TFDV's L-infinity distance of the label distributions, the schema's threshold); (0, 0) without one.

    TFDV compares statistics; those of a label column are computed in memory from the exact counts.
    """
    feature = next(iter(schema.feature), None)
    if feature is None or not feature.drift_comparator.infinity_norm.threshold:
        return 0.0, 0.0
    options = tfdv.StatsOptions(schema=schema)

    def statistics(counts: tuple[int, ...]) -> Any:
        column = np.repeat(np.arange(len(counts)), counts)
        return tfdv.generate_statistics_from_dataframe(pd.DataFrame({features.LABEL_KEY: column}), options)

    anomalies = tfdv.validate_statistics(statistics(current), schema, previous_statistics=statistics(previous))
    for info in anomalies.drift_skew_info:
        for measurement in info.drift_measurements:
            if measurement.type == anomalies_pb2.DriftSkewInfo.Measurement.L_INFTY:
                return measurement.value, measurement.threshold
    return 0.0, feature.drift_comparator.infinity_norm.threshold


@pytest.mark.parametrize(
    ("current", "previous"),
    [
        (tuple(np.bincount(LABEL_SHIFTED)), tuple(np.bincount(BALANCED))),
        (tuple(np.bincount(SLIGHTLY_SHIFTED)), tuple(np.bincount(BALANCED))),
        ((20,) * 7 + (0,) + (20,) * 2, (20,) * 10),  # class 7 vanished
        ((0,) * 9 + (50,), (20,) * 10),  # one class left
        ((3,) * 10, (20,) * 10),  # the same shares from fewer examples
    ],
    ids=["beyond", "slight", "vanished", "one-class", "same-shares"],
)
def test_tfdvs_l_infinity_with_the_schemas_threshold_is_checks_label_linf(current: tuple, previous: tuple):
    schema = label_schema(tfdv.load_schema_text(str(SCHEMA_PATH)))
    assert [f.name for f in schema.feature] == [features.LABEL_KEY]
    linf, threshold = tfdv_label_linf(schema, current, previous)
    assert linf == pytest.approx(checks.label_linf(current, previous)[0], abs=1e-6)
    assert threshold == pytest.approx(0.05) == checks.label_threshold(schema)
