"""components/records/evaluation_results.py: the Evaluator's thresholds, put in words."""

from components.records import evaluation_results as evaluation_lib


def test_thresholds_are_put_in_words():
    config = {
        "metricsSpecs": [
            {
                "metrics": [
                    {
                        "className": "SparseCategoricalAccuracy",
                        "perSliceThresholds": [
                            {
                                "slicingSpecs": [{}],
                                "threshold": {
                                    "valueThreshold": {"lowerBound": 0.9},
                                    "changeThreshold": {"absolute": -0.01, "direction": "HIGHER_IS_BETTER"},
                                },
                            },
                            {
                                "slicingSpecs": [{"featureKeys": ["label"]}],
                                "threshold": {"valueThreshold": {"lowerBound": 0.5}},
                            },
                        ],
                    }
                ]
            }
        ]
    }
    thresholds = evaluation_lib.thresholds_from_config(config)
    assert [(t.where, t.rule) for t in thresholds] == [
        ("overall", "SparseCategoricalAccuracy >= 0.9000"),
        ("overall", "SparseCategoricalAccuracy no more than 0.0100 below the baseline model's"),
        ("each label slice", "SparseCategoricalAccuracy >= 0.5000"),
    ]
    assert thresholds == [
        evaluation_lib.Threshold("overall", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.9),
        evaluation_lib.Threshold("overall", "SparseCategoricalAccuracy", evaluation_lib.MAX_DROP, 0.01),
        evaluation_lib.Threshold("each label slice", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.5),
    ]
