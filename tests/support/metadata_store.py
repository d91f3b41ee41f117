"""A real ML Metadata store on disk, as TFX's first run creates it."""

from pathlib import Path

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2


def empty_store(path: Path) -> Path:
    """A real (empty) ML Metadata store at ``path``, with one artifact type registered."""
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    writer = metadata_store.MetadataStore(config)
    writer.put_artifact_type(metadata_store_pb2.ArtifactType(name="Examples"))
    return path
