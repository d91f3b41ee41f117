"""The serving contract, on a real exported model: two signatures that agree with each other and the model."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

from components.contract import features
from components.ingestion import examples
from components.training import export


def test_saved_model_cli_lists_both_signatures(exported_model):
    cli = Path(sys.executable).parent / "saved_model_cli"
    shown = subprocess.run(
        [str(cli), "show", "--all", "--dir", str(exported_model.path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    default = shown[shown.index("signature_def['serving_default']") :]
    images = shown[shown.index("signature_def['predict_images']") :]
    default, images = default[: default.index("Method name")], images[: images.index("Method name")]
    assert "inputs['examples'] tensor_info:\n        dtype: DT_STRING\n        shape: (-1)" in default
    assert "inputs['images'] tensor_info:\n        dtype: DT_UINT8\n        shape: (-1, 28, 28)" in images
    for signature in (default, images):
        assert "outputs['probabilities'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 10)" in signature
        assert "outputs['class_ids'] tensor_info:\n        dtype: DT_INT64\n        shape: (-1)" in signature


def test_images_become_the_record_contract_bytes():
    images = np.random.default_rng(3).integers(0, 256, (2, 28, 28), dtype=np.uint8)
    raw = export.images_to_raw_bytes(tf.constant(images)).numpy()
    assert raw.shape == (2, 1)
    assert [r[0] for r in raw] == [img.tobytes() for img in images]


def test_signatures_agree_with_each_other_and_the_trained_model(exported_model):
    loaded = tf.saved_model.load(str(exported_model.path))
    images = exported_model.images
    with_label = [
        examples.to_example(img, int(label)) for img, label in zip(images, exported_model.labels, strict=True)
    ]
    without_label = []
    for record in with_label:
        example = tf.train.Example.FromString(record)
        del example.features.feature[features.LABEL_KEY]
        without_label.append(example.SerializeToString())

    default = loaded.signatures[features.SERVING_SIGNATURE]
    by_images = loaded.signatures[features.IMAGES_SIGNATURE](images=tf.constant(images))
    expected = exported_model.keras_model(images[..., None].astype(np.float32) / 255.0, training=False).numpy()
    for outputs in (default(examples=tf.constant(with_label)), default(examples=tf.constant(without_label)), by_images):
        np.testing.assert_allclose(outputs[features.PROBABILITIES_KEY].numpy(), expected, atol=1e-5)
        np.testing.assert_array_equal(outputs[features.CLASS_IDS_KEY].numpy(), expected.argmax(axis=1))
