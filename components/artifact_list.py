"""An executor's several output artifacts under one key, made as every TFX orchestrator publishes them."""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Sequence

from tfx.types import artifact


def sibling(template: artifact.Artifact, uri: str) -> artifact.Artifact:
    """A new artifact like the orchestrator's ``template`` output, at ``uri`` (a sub-folder of the template's).

    A copy, not a fresh artifact: a launcher may find a run's outputs by the custom properties it
    put on the template (its name and producer; TFX's launchers before the IR did); the id is cleared, so
    the artifact is registered anew, and its name in ML Metadata, which must be unique, gets the sub-folder's name.
    """
    new = copy.deepcopy(template)
    new.mlmd_artifact.ClearField("id")
    if template.mlmd_artifact.name:
        new.mlmd_artifact.name = f"{template.mlmd_artifact.name}:{posixpath.basename(uri.rstrip('/'))}"
    new.uri = uri
    return new


def spread(outputs: list[artifact.Artifact], folders: Sequence[str]) -> list[artifact.Artifact]:
    """One output artifact per folder name, each in that sub-folder of the orchestrator's output URI.

    The first is the orchestrator's own artifact, moved into its sub-folder: the launcher may have
    registered it as an output already, and an artifact left at the top would be published empty.
    ``outputs`` becomes the list; returns it.
    """
    template = outputs[0]
    base = template.uri.rstrip("/")
    made = [sibling(template, f"{base}/{folder}") for folder in folders[1:]]
    template.uri = f"{base}/{folders[0]}" if folders else template.uri
    outputs[:] = [template, *made] if folders else []
    return outputs
