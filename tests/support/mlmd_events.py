"""A stand-in for the one ML Metadata query a resolver strategy makes: which executions output an artifact."""

from ml_metadata.proto import metadata_store_pb2


class OutputEvents:
    """``get_events_by_artifact_ids`` over {artifact id: [ids of the executions that output it]}.

    Artifacts it does not know have no events; with none known, every artifact counts as this run's.
    """

    def __init__(self, producers: dict[int, list[int]] | None = None) -> None:
        self._producers = producers or {}

    def get_events_by_artifact_ids(self, ids: list[int]) -> list[metadata_store_pb2.Event]:
        return [
            metadata_store_pb2.Event(artifact_id=i, execution_id=e, type=metadata_store_pb2.Event.OUTPUT)
            for i in ids
            for e in self._producers.get(i, [])
        ]


ONE_RUN = OutputEvents()
