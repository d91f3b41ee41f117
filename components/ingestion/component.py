"""FashionMnistExampleGen, a Beam-powered custom ExampleGen for the Fashion-MNIST IDX files."""

from __future__ import annotations

import json

from tfx.dsl.components.base import base_beam_component, executor_spec
from tfx.types import channel_utils, standard_artifacts

from components.ingestion import executor, spec


class FashionMnistExampleGen(base_beam_component.BaseBeamComponent):
    """Emits tf.Example TFRecords in three splits.

    ``train`` and ``eval`` come from the official training file (deterministic,
    stratified), ``test`` from the official test file. Records follow the
    contract in ``components.features``.
    """

    SPEC_CLASS = spec.FashionMnistExampleGenSpec
    EXECUTOR_SPEC = executor_spec.BeamExecutorSpec(executor.Executor)

    def __init__(
        self,
        *,
        input_base: str,
        input_sha256: dict[str, str],
        eval_count: int,
        seed: int,
        train_limit: int | None = None,
        test_limit: int | None = None,
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            spec.FashionMnistExampleGenSpec(
                input_base=input_base,
                input_sha256=json.dumps(input_sha256, sort_keys=True),
                eval_count=eval_count,
                train_limit=train_limit or 0,
                test_limit=test_limit or 0,
                seed=seed,
                code_fingerprint=code_fingerprint,
                examples=channel_utils.as_channel([standard_artifacts.Examples()]),
            )
        )
