#!/usr/bin/env python
"""Scores a pushed model on the official Fashion-MNIST test files, independently of the pipeline's code.

Builds tf.Examples in the record contract straight from the IDX files (its own
parser, nothing imported from this project), sends them through the SavedModel's
``serving_default`` signature and prints the accuracy. An on-device model (a folder
with ``model.tflite``) is run by TFLite's interpreter on the pixels instead.

    python scripts/score_served_model.py serving_model/fashion_mnist [--data-dir data/raw]
    python scripts/score_served_model.py serving_model/fashion_mnist_lite

The first argument is a version folder or a model folder (the newest version is used).
"""

import argparse
import gzip
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")


def read_idx(path: Path) -> "np.ndarray":  # noqa: F821 - numpy is imported lazily
    import numpy as np

    with gzip.open(path) as f:
        data = f.read()
    _, _, dtype, ndim = struct.unpack(">BBBB", data[:4])
    if dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def score_tflite(path: Path, images: "np.ndarray", batch_size: int) -> "np.ndarray":  # noqa: F821
    """The class each image gets from the TFLite model: pixels [N, 28, 28] in, quantized by the input's own scale
    and zero point when it has them; probabilities out."""
    import numpy as np
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=str(path))
    given, answer = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    scale, zero_point = given["quantization"]
    predicted = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].astype(np.float32)
        if scale:
            batch = np.round(batch / scale + zero_point)
        interpreter.resize_tensor_input(given["index"], batch.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(given["index"], batch.astype(given["dtype"]))
        interpreter.invoke()
        predicted.append(interpreter.get_tensor(answer["index"]).argmax(axis=1))
    return np.concatenate(predicted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "raw")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    model_dir = args.model
    if not any((model_dir / name).exists() for name in ("saved_model.pb", "model.tflite")):
        versions = sorted((p for p in model_dir.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
        if not versions:
            print(f"error: {model_dir}: no saved_model.pb, no model.tflite and no version folders", file=sys.stderr)
            return 1
        model_dir = versions[-1]
    images = read_idx(args.data_dir / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(args.data_dir / "t10k-labels-idx1-ubyte.gz")

    if (model_dir / "model.tflite").exists():
        predicted = score_tflite(model_dir / "model.tflite", images, args.batch_size)
        print(f"{model_dir}: accuracy {np.mean(predicted == labels):.4f} on {len(images)} official test images")
        return 0
    serve = tf.saved_model.load(str(model_dir)).signatures["serving_default"]
    correct = 0
    for start in range(0, len(images), args.batch_size):
        batch = []
        for image in images[start : start + args.batch_size]:
            example = tf.train.Example()
            example.features.feature["image"].bytes_list.value.append(image.tobytes())
            batch.append(example.SerializeToString())
        probabilities = serve(examples=tf.constant(batch))["probabilities"].numpy()
        correct += int(np.sum(probabilities.argmax(axis=1) == labels[start : start + args.batch_size]))
    print(f"{model_dir}: accuracy {correct / len(images):.4f} on {len(images)} official test images")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
