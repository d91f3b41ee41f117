"""pipeline/definition/provenance.py: the configuration the model card records."""

import dataclasses

from pipeline.config import parse_args
from pipeline.definition import provenance


def test_the_configuration_names_the_pipeline_it_ran_in():
    """Issue 25, defect 8: an empty pipeline_name means the model's name, and the card says which."""
    config = parse_args(["--profile=smoke"])
    assert config.pipeline_name == ""
    assert provenance.config_record(config)["pipeline_name"] == config.tfx_pipeline_name != ""
    renamed = dataclasses.replace(config, pipeline_name="fashion-mnist")
    assert provenance.config_record(renamed)["pipeline_name"] == "fashion-mnist"


def test_paths_and_tuples_become_plain_json_values():
    record = provenance.config_record(parse_args(["--profile=smoke", "--output-dir=/tmp/out"]))
    assert record["output_dir"] == "/tmp/out" and isinstance(record["beam_args"], list)
