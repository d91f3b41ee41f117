"""components/records/protos.py against a tf.Example TensorFlow itself serialized."""

import tensorflow as tf

from components.contract import features
from components.records import protos


def test_a_tf_example_parses_without_tensorflow():
    example = tf.train.Example()
    example.features.feature[features.IMAGE_KEY].bytes_list.value.append(bytes(784))
    example.features.feature[features.LABEL_KEY].int64_list.value.append(3)
    parsed = protos.parse("tensorflow.Example", example.SerializeToString())
    assert parsed.SerializeToString() == example.SerializeToString()
