"""FashionMnistExampleGen, a Beam-powered custom ExampleGen for the Fashion-MNIST IDX files in spans."""

from __future__ import annotations

import json
from collections.abc import Mapping

from tfx.dsl.components.base import base_beam_component, executor_spec
from tfx.types import channel_utils, standard_artifacts

from components.ingestion import executor, spec


class FashionMnistExampleGen(base_beam_component.BaseBeamComponent):
    """Emits tf.Example TFRecords: one Examples artifact per span ingested, and one of the test set.

    Each span's ``train`` and ``eval`` come from its own training file (deterministic, stratified);
    ``test`` from the fixed test file. Records follow the contract in ``components.contract.features``.
    """

    SPEC_CLASS = spec.FashionMnistExampleGenSpec
    EXECUTOR_SPEC = executor_spec.BeamExecutorSpec(executor.Executor)

    def __init__(
        self,
        *,
        input_base: str,
        test_sha256: Mapping[str, str],
        spans: Mapping[int, Mapping[str, object]],
        eval_fraction: float,
        seed: int,
        train_limit: int | None = None,
        test_limit: int | None = None,
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            spec.FashionMnistExampleGenSpec(
                input_base=input_base,
                input_sha256=json.dumps(dict(test_sha256), sort_keys=True),
                spans=json.dumps({str(n): record for n, record in spans.items()}, sort_keys=True),
                eval_fraction=eval_fraction,
                train_limit=train_limit or 0,
                test_limit=test_limit or 0,
                seed=seed,
                code_fingerprint=code_fingerprint,
                examples=channel_utils.as_channel([standard_artifacts.Examples()]),
                test_examples=channel_utils.as_channel([standard_artifacts.Examples()]),
            )
        )
