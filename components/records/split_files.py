"""The files TFDV's components write (per split), and ImportSchemaGen's schema, and their readers.

StatisticsGen and ExampleValidator write one file per split,
``<artifact uri>/Split-<name>/<file name>``; ImportSchemaGen one schema file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from google.protobuf import message, text_format
from tensorflow_metadata.proto.v0 import schema_pb2

# StatisticsGen's statistics (a DatasetFeatureStatisticsList) and ExampleValidator's Anomalies, per split.
STATISTICS_FILE_NAME = "FeatureStats.pb"
ANOMALIES_FILE_NAME = "SchemaDiff.pb"
# ImportSchemaGen's Schema, as text.
SCHEMA_FILE_NAME = "schema.pbtxt"
SPLIT_PREFIX = "Split-"

M = TypeVar("M", bound=message.Message)


def split_dir(uri: str | Path, split: str) -> Path:
    """The folder of one split of an artifact (TFX's ``artifact_utils.get_split_uri``, without TFX)."""
    return Path(uri) / f"{SPLIT_PREFIX}{split}"


def read_split_files(
    uri: str | Path, file_name: str, proto_class: type[M], splits: Iterable[str] | None = None
) -> dict[str, M]:
    """``<uri>/Split-<name>/<file_name>`` parsed, by split name.

    Args:
      uri: the artifact's folder.
      file_name: STATISTICS_FILE_NAME or ANOMALIES_FILE_NAME.
      proto_class: the message class the file holds.
      splits: the splits that must be there (an artifact's split names); a missing file then raises
        FileNotFoundError. None reads whichever splits are there.
    """
    if splits is None:
        paths = sorted(Path(uri).glob(f"{SPLIT_PREFIX}*/{file_name}"))
    else:
        paths = [split_dir(uri, split) / file_name for split in splits]
    return {path.parent.name.removeprefix(SPLIT_PREFIX): proto_class.FromString(path.read_bytes()) for path in paths}


def read_schema(uri: str | Path) -> schema_pb2.Schema:
    """The Schema an ImportSchemaGen artifact at ``uri`` holds (``<uri>/schema.pbtxt``)."""
    return text_format.Parse((Path(uri) / SCHEMA_FILE_NAME).read_text(), schema_pb2.Schema())
