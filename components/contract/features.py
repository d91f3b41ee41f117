"""The one source of feature keys, label names and image shape.

Everything that touches a record (the ingestion component, the schema, the
transform, the model, the evaluation config and the serving signatures) imports
its names from here, so the record contract lives in exactly one place.

The record contract (stable, relied on by external clients):
  * ``image``: bytes, the 784 raw uint8 pixels of a 28x28 image, row-major.
  * ``label``: int64 in 0..9, the Fashion-MNIST class id.
"""

from data import fashion_mnist

IMAGE_KEY = "image"
LABEL_KEY = "label"

# The dataset's own shape and classes (data/fashion_mnist.py), re-exported as part of the contract.
IMAGE_HEIGHT = fashion_mnist.IMAGE_HEIGHT
IMAGE_WIDTH = fashion_mnist.IMAGE_WIDTH
IMAGE_CHANNELS = 1
IMAGE_PIXELS = IMAGE_HEIGHT * IMAGE_WIDTH

CLASS_NAMES: tuple[str, ...] = fashion_mnist.CLASS_NAMES
NUM_CLASSES = fashion_mnist.NUM_CLASSES

# Split names of the ingested Examples artifact.
TRAIN_SPLIT = "train"
EVAL_SPLIT = "eval"
TEST_SPLIT = "test"
SPLITS: tuple[str, ...] = (TRAIN_SPLIT, EVAL_SPLIT, TEST_SPLIT)

# Outputs of both serving signatures.
PROBABILITIES_KEY = "probabilities"
CLASS_IDS_KEY = "class_ids"
# The two serving signatures and their inputs.
SERVING_SIGNATURE = "serving_default"  # serialized tf.Example in the record contract
SERVING_EXAMPLES_KEY = "examples"
IMAGES_SIGNATURE = "predict_images"  # uint8 [N, 28, 28]
IMAGES_INPUT_KEY = "images"

# The Evaluator's accuracy metric, as TFMA names it in its output.
ACCURACY_METRIC = "sparse_categorical_accuracy"


def transformed_name(key: str) -> str:
    """Returns the name a raw feature has after Transform."""
    return f"{key}_xf"
