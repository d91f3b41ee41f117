"""pipeline/metadata/outputs.py: a node's outputs of a type in a run, and per-split records by where they are."""

from components.contract import artifact_types
from pipeline.metadata import outputs
from pipeline.metadata.store import ArtifactRef, ExecutionRecord


def _execution(eid: int, node: str, *outs: ArtifactRef) -> ExecutionRecord:
    return ExecutionRecord(eid, node, "done", 0, 1, None, {}, [], list(outs))


def _artifact(aid: int, type_name: str, uri: str = "/nowhere") -> ArtifactRef:
    return ArtifactRef(aid, type_name, "", uri, {})


def test_outputs_are_found_by_node_and_type():
    span1, span2 = _artifact(2, artifact_types.EXAMPLES), _artifact(3, artifact_types.EXAMPLES)
    executions = outputs.by_node(
        [_execution(1, "FashionMnistExampleGen", span1, span2), _execution(4, "Trainer", _artifact(5, "Model"))]
    )
    assert outputs.output(executions, "FashionMnistExampleGen", artifact_types.EXAMPLES) == span1
    assert outputs.outputs_of(executions, "FashionMnistExampleGen", artifact_types.EXAMPLES) == [span1, span2]
    assert outputs.output(executions, "Trainer", artifact_types.EXAMPLES) is None
    assert outputs.output(executions, "Pusher", artifact_types.PUSHED_MODEL) is None, "a node that did not run"
    assert outputs.outputs_of(executions, "Pusher", artifact_types.PUSHED_MODEL) == []


def test_by_split_names_a_spans_split_by_its_folder_and_the_test_sets_by_its_split():
    statistics = [
        _artifact(7, artifact_types.EXAMPLE_STATISTICS, "/root/statistics/span-2"),
        _artifact(8, artifact_types.EXAMPLE_STATISTICS, "/root/statistics/test"),
    ]
    read = {"/root/statistics/span-2": {"train": "a", "eval": "b"}, "/root/statistics/test": {"test": "c"}}
    assert outputs.by_split(statistics, read.__getitem__) == {"span-2/train": "a", "span-2/eval": "b", "test": "c"}
