"""The training input: the ingested tf.Example files, through the Transform graph, in batches.

Used by the Trainer's ``run_fn`` and the Tuner's trials alike, so both fit on
exactly the same data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import tensorflow as tf
import tensorflow_transform as tft

from components.contract import features
from components.contract.training_config import TrainingConfig
from components.training import augmentation, network

# Records parsed and transformed per call; independent of the training batch size.
_PARSE_BATCH = 1024


def _compression(files: Sequence[str]) -> str:
    return "GZIP" if files and all(f.endswith(".gz") for f in files) else ""


def _files(file_patterns: Sequence[str]) -> list[str]:
    files = sorted(f for pattern in file_patterns for f in tf.io.gfile.glob(pattern))
    if not files:
        raise FileNotFoundError(f"no example files match {list(file_patterns)}")
    return files


def make_dataset(
    file_patterns: Sequence[str],
    tft_output: tft.TFTransformOutput,
    *,
    batch_size: int,
    shuffle: bool,
    seed: int,
    repeat: bool = False,
    whole_batches: bool = False,
    augment: bool = False,
    one_hot: bool = False,
) -> tf.data.Dataset:
    """Raw tf.Example files -> batches of (transformed image [B, 28, 28, 1], label [B]).

    ``batch_size`` (B) is the global batch: under a distribution strategy Keras splits each batch
    across the replicas (B / replicas each), so a step is one batch whatever the number of workers.
    ``whole_batches`` drops each pass's last partial batch (see ``training_data`` for when).

    The Transform graph is applied here (Transform does not materialize its
    output), the same graph the serving signature embeds. Transformed examples
    are cached in memory, so only the first epoch parses.

    ``repeat`` makes the batches endless, one pass after another (reshuffled
    each pass, each pass ending with its partial batch), for ``fit`` with
    ``steps_per_epoch``: see ``training_data`` for why.

    ``augment`` shifts and mirrors each batch's images (components/training/augmentation.py), seeded by
    ``seed`` and the batch's index, so the same run sees the same images. ``one_hot`` gives the
    labels as one-hot [B, 10], for a model compiled with label smoothing.
    """
    files = _files(file_patterns)
    raw_spec = tft_output.raw_feature_spec()
    tft_layer = tft_output.transform_features_layer()
    image_key = features.transformed_name(features.IMAGE_KEY)
    label_key = features.transformed_name(features.LABEL_KEY)

    def transform(serialized: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        transformed = tft_layer(tf.io.parse_example(serialized, raw_spec))
        return transformed[image_key], transformed[label_key]

    dataset = (
        tf.data.TFRecordDataset(files, compression_type=_compression(files))
        .batch(_PARSE_BATCH)
        .map(transform, num_parallel_calls=tf.data.AUTOTUNE)
        .unbatch()
        .cache()
    )
    if shuffle:
        dataset = dataset.shuffle(16384, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=whole_batches)
    if repeat:
        dataset = dataset.repeat()
    dataset = augmentation.after_batching(
        dataset, seed=seed, augment=augment, one_hot=one_hot, parallel=tf.data.AUTOTUNE
    )
    # No autotuning thread, the likely one that destroying an iterator waited for while training kept
    # both cores busy (docs/pipeline.md, "Where the time goes"). The parallel map and the prefetch still size
    # themselves (to the cores, and by the prefetch's own buffer tuning).
    options = tf.data.Options()
    options.autotune.enabled = False
    # Under MultiWorkerMirroredStrategy each worker reads every file and keeps its share of each
    # batch: Transform writes one file per split, too few to shard by file. Only a distributed
    # dataset is sharded; on one worker this option changes nothing.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(options)


def batches_per_pass(file_patterns: Sequence[str], *, batch_size: int, whole_batches: bool = False) -> int:
    """Batches in one pass over the examples: ``steps_per_epoch`` for a ``repeat`` dataset.

    Counts the records without parsing them: the Transform graph maps each example to one (parsing and
    transforming them all only to count them took seconds of every training run).
    """
    files = _files(file_patterns)
    records = tf.data.TFRecordDataset(files, compression_type=_compression(files))
    count = int(records.reduce(tf.constant(0, tf.int64), lambda n, _: n + 1))
    return count // batch_size if whole_batches else -(-count // batch_size)


@dataclasses.dataclass(frozen=True)
class TrainingData:
    """What the Trainer and the Tuner's trials fit on."""

    train_data: tf.data.Dataset  # endless: pass steps_per_epoch to fit
    eval_data: tf.data.Dataset
    steps_per_epoch: int


def training_data(
    train_files: Sequence[str],
    eval_files: Sequence[str],
    tft_output: tft.TFTransformOutput,
    config: TrainingConfig,
    *,
    replicas: int = 1,
) -> TrainingData:
    """The training and eval datasets of ``config``'s batch size and seed, and the batches in one pass.

    One endless training iterator for the whole fit, as Keras itself does for NumPy arrays: given a
    finite dataset, Keras makes a new iterator every epoch, and destroying the spent one stalled
    training at epoch boundaries here (measurements in docs/pipeline.md, "Where the time goes").

    With more than one replica in sync, every batch is whole: a partial batch split across the
    replicas can leave one with no examples, and on this stack a replica given an empty batch fails
    in its first convolution or batch normalization (measured with two workers). Each training pass
    then leaves out its last ``len % batch_size`` examples, other ones each pass as it is reshuffled;
    validation leaves out the same few examples every epoch.
    """
    whole_batches = replicas > 1
    if whole_batches and config.batch_size < replicas:
        raise ValueError(f"batch_size {config.batch_size} gives some of the {replicas} replicas no examples")
    batching = {
        "batch_size": config.batch_size,
        "seed": config.seed,
        "whole_batches": whole_batches,
        "one_hot": network.one_hot_targets(config.label_smoothing),
    }
    counting = {"batch_size": config.batch_size, "whole_batches": whole_batches}
    steps_per_epoch = batches_per_pass(train_files, **counting)
    if whole_batches and not (steps_per_epoch and batches_per_pass(eval_files, **counting)):
        raise ValueError(f"each split needs at least one whole batch ({config.batch_size}) on {replicas} replicas")
    return TrainingData(
        train_data=make_dataset(train_files, tft_output, shuffle=True, repeat=True, augment=config.augment, **batching),
        eval_data=make_dataset(eval_files, tft_output, shuffle=False, **batching),
        steps_per_epoch=steps_per_epoch,
    )
