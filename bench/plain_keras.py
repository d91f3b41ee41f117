"""The plain-Keras script: the same model as the pipeline's, trained the plain way, to measure the pipeline against.

Same rows (``examples.plan_span``, ``plan_test``), same architecture, optimizer, schedule,
augmentation, label smoothing, batch size, epochs and seed as the pipeline's profile, same
validation pass on the eval split every epoch, the same flip averaging when scoring; but NumPy
arrays in memory, no TFX, no Beam, no
Transform graph, no Evaluator. Prints one JSON line:
``{"wall_seconds", "training_seconds", "test_accuracy", "test_accuracy_single_pass", "epochs"}``
(``test_accuracy`` as the pipeline serves, with or without flip averaging; ``test_accuracy_single_pass``
without, the figure that says whether flip averaging earns its cost).

    python -m bench.plain_keras --profile full --data-dir data/raw
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

STARTED = time.monotonic()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="full")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--epochs", type=int, help="default: the profile's")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one of the profile's training settings (components/contract/training_config.py), "
        "e.g. --set network=pool_early --set stage_filters=32,64,256",
    )
    args = parser.parse_args(argv)

    from components import legacy_keras

    legacy_keras.use_legacy_keras()
    import numpy as np
    import tensorflow as tf

    from components.contract import features, training_config
    from components.ingestion import examples
    from components.training import augmentation, devices, network
    from data import sources
    from pipeline.config import PROFILES

    profile = PROFILES[args.profile]
    config = training_config.with_settings(profile.training, args.set)
    epochs = args.epochs or config.epochs
    contents = sources.read_all(str(args.data_dir))
    train_images, train_labels = contents[sources.TRAIN_IMAGES].array, contents[sources.TRAIN_LABELS].array
    test_images, test_labels = contents[sources.TEST_IMAGES].array, contents[sources.TEST_LABELS].array
    # Span 1 of the flat layout, as the pipeline's ingestion splits it.
    plan = examples.plan_span(
        train_labels, eval_fraction=profile.eval_fraction, seed=config.seed, train_limit=profile.train_limit
    )
    test_rows = examples.plan_test(test_labels, seed=config.seed, test_limit=profile.test_limit)

    def arrays(images: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = images[rows].reshape(-1, features.IMAGE_HEIGHT, features.IMAGE_WIDTH, 1).astype(np.float32) / 255.0
        return x, labels[rows].astype(np.int64)

    x_train, y_train = arrays(train_images, train_labels, plan.train)
    x_eval, y_eval = arrays(train_images, train_labels, plan.eval)
    x_test, y_test = arrays(test_images, test_labels, test_rows)

    tf.keras.utils.set_random_seed(config.seed)
    if config.deterministic_ops:
        tf.config.experimental.enable_op_determinism()
    steps = math.ceil(len(x_train) / config.batch_size)
    schedule = network.cosine_schedule(config.learning_rate, epochs * steps, warmup_steps=config.warmup_epochs * steps)
    cnn = network.from_config(config, schedule)

    def batches(x: np.ndarray, y: np.ndarray, *, train: bool) -> tf.data.Dataset:
        data = tf.data.Dataset.from_tensor_slices((x, y))
        if train:
            data = data.shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
        data = augmentation.after_batching(
            data.batch(config.batch_size),
            seed=config.seed,
            augment=train and config.augment,
            one_hot=network.one_hot_targets(config.label_smoothing),
        )
        return data.prefetch(tf.data.AUTOTUNE)

    training_started = time.monotonic()
    cnn.fit(
        batches(x_train, y_train, train=True),
        epochs=epochs,
        validation_data=batches(x_eval, y_eval, train=False),
        verbose=0,
    )
    training_seconds = time.monotonic() - training_started
    single, scored = network.for_serving(cnn, config)
    _, test_accuracy = scored.evaluate(x_test, y_test, batch_size=512, verbose=0)
    _, single_pass_accuracy = single.evaluate(x_test, y_test, batch_size=512, verbose=0)
    print(
        json.dumps(
            {
                "wall_seconds": time.monotonic() - STARTED,
                "training_seconds": training_seconds,
                "test_accuracy": float(test_accuracy),
                "test_accuracy_single_pass": float(single_pass_accuracy),
                "epochs": epochs,
                "precision": devices.resolve_precision(config.precision),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
