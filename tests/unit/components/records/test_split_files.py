"""components/records/split_files.py: ImportSchemaGen's schema, read from its artifact folder without TFX."""

from pathlib import Path

import pytest
from google.protobuf import text_format
from tensorflow_metadata.proto.v0 import schema_pb2

from components.contract import features
from components.records import split_files
from pipeline.config import SCHEMA_PATH


def test_read_schema_parses_the_schema_file_in_the_artifact_folder(tmp_path: Path):
    (tmp_path / split_files.SCHEMA_FILE_NAME).write_text(SCHEMA_PATH.read_text())
    schema = split_files.read_schema(tmp_path)
    assert schema == text_format.Parse(SCHEMA_PATH.read_text(), schema_pb2.Schema())
    assert [f.name for f in schema.feature] == [features.IMAGE_KEY, features.LABEL_KEY]
    assert split_files.read_schema(str(tmp_path)) == schema, "an artifact's URI, as a string"


def test_read_schema_of_a_folder_without_one_fails(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        split_files.read_schema(tmp_path)
