"""Fixtures for component tests: a real Transform graph (TF Transform on Beam) and a small exported network."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from components.contract import features
from components.training import export, network, preprocessing
from pipeline.config import SCHEMA_PATH
from tests.support.example_records import fixture_images


@dataclasses.dataclass
class ExportedModel:
    path: Path
    keras_model: tf.keras.Model
    tft_output: object
    images: np.ndarray  # uint8 [N, 28, 28]
    labels: np.ndarray


@pytest.fixture(scope="session")
def transform_output(tmp_path_factory: pytest.TempPathFactory):
    """TF Transform's analysis of preprocessing_fn over a few examples, as Transform would write it."""
    import apache_beam as beam
    import tensorflow_data_validation as tfdv
    import tensorflow_transform as tft
    import tensorflow_transform.beam as tft_beam
    from tensorflow_transform.tf_metadata import dataset_metadata, metadata_io

    out = tmp_path_factory.mktemp("transform")
    images, labels = fixture_images(10)
    instances = [
        {features.IMAGE_KEY: np.array([img.tobytes()], dtype=object), features.LABEL_KEY: np.array([label])}
        for img, label in zip(images, labels, strict=True)
    ]
    metadata = dataset_metadata.DatasetMetadata(tfdv.load_schema_text(str(SCHEMA_PATH)))
    with beam.Pipeline() as pipeline, tft_beam.Context(temp_dir=str(out / "tmp")):
        transform_fn = (pipeline | beam.Create(instances), metadata) | tft_beam.AnalyzeDataset(
            preprocessing.preprocessing_fn
        )
        _ = transform_fn | tft_beam.WriteTransformFn(str(out / "graph"))
    # Transform also keeps the raw schema beside the graph; the serving signatures parse with it.
    metadata_io.write_metadata(metadata, str(out / "graph" / tft.TFTransformOutput.RAW_METADATA_DIR))
    return tft.TFTransformOutput(str(out / "graph"))


@pytest.fixture(scope="session")
def exported_model(tmp_path_factory: pytest.TempPathFactory, transform_output) -> ExportedModel:
    """A CNN trained for a few steps and exported with both serving signatures."""
    tf.keras.utils.set_random_seed(0)
    images, labels = fixture_images()
    cnn = network.build_model(1e-3)
    cnn.fit(images[..., None] / 255.0, labels, epochs=2, batch_size=20, verbose=0)
    path = tmp_path_factory.mktemp("export") / "model"
    export.export_serving_model(cnn, transform_output, str(path))
    return ExportedModel(path, cnn, transform_output, images, labels)


@dataclasses.dataclass
class BrightnessModels:
    """The brightness model (tests/support/brightness_model.py) exported as the Trainer does, its full-integer
    TFLite model, and a TFLite model of the same network answering one class up (a wrong conversion)."""

    saved_model: Path
    keras_model: tf.keras.Model
    flatbuffer: bytes
    shifted_flatbuffer: bytes
    images: np.ndarray
    labels: np.ndarray


@pytest.fixture(scope="session")
def brightness_models(tmp_path_factory: pytest.TempPathFactory, transform_output) -> BrightnessModels:
    from components.lite_conversion import choice, convert
    from tests.support.brightness_model import brightness_images, brightness_model, export_brightness_model

    images, labels = brightness_images()
    path = tmp_path_factory.mktemp("brightness") / "model"
    model = export_brightness_model(transform_output, path)
    flatbuffer = convert.convert(model, choice.FULL_INTEGER, images)
    shifted = convert.convert(brightness_model(shift=1), choice.FULL_INTEGER, images)
    return BrightnessModels(path, model, flatbuffer, shifted, images, labels)
