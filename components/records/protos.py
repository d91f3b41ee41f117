"""Message classes for TFMA's and TensorFlow's record formats, without importing either library.

``tensorflow_model_analysis.proto`` and ``tensorflow.core.example`` are plain
generated modules, but importing them runs their packages' ``__init__``, which
imports TensorFlow (seconds, and gigabytes of address space). Instead, the
serialized file descriptors embedded in the installed ``*_pb2.py`` files are
loaded into a private descriptor pool: the same message definitions, from the
same pinned packages, and no clash with the real modules when a process has
imported them too.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

from google.protobuf import descriptor_pool, message, message_factory, wrappers_pb2

# (top-level package, generated module path inside it), dependencies first.
_TFMA_FILES = (
    ("tensorflow_model_analysis", "proto/config_pb2.py"),
    ("tensorflow_model_analysis", "proto/metrics_for_slice_pb2.py"),
    ("tensorflow_model_analysis", "proto/validation_result_pb2.py"),
)
_EXAMPLE_FILES = (
    ("tensorflow", "core/example/feature_pb2.py"),
    ("tensorflow", "core/example/example_pb2.py"),
)


class ProtoLoadError(RuntimeError):
    """An installed generated module does not have the shape this loader expects."""


def _package_dir(package: str) -> Path:
    # find_spec of a top-level name locates it without executing its __init__.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ProtoLoadError(f"package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def serialized_descriptor(pb2_path: Path) -> bytes:
    """The bytes a generated ``*_pb2.py`` passes to ``AddSerializedFile``."""
    tree = ast.parse(pb2_path.read_text(), filename=str(pb2_path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "AddSerializedFile"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, bytes)
        ):
            return node.args[0].value
    raise ProtoLoadError(f"{pb2_path}: no serialized file descriptor found")


@functools.lru_cache(maxsize=1)
def _pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(wrappers_pb2.DESCRIPTOR.serialized_pb)
    for package, relative in _TFMA_FILES + _EXAMPLE_FILES:
        pool.AddSerializedFile(serialized_descriptor(_package_dir(package) / relative))
    return pool


@functools.cache
def message_class(full_name: str) -> type[message.Message]:
    """The message class of ``full_name``, e.g. ``tensorflow_model_analysis.MetricsForSlice``."""
    pool = _pool()
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName(full_name))


def parse(full_name: str, data: bytes) -> message.Message:
    msg = message_class(full_name)()
    msg.ParseFromString(data)
    return msg
