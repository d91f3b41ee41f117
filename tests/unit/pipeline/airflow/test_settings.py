"""The names the DAG file (Airflow's virtualenv, which cannot import the project) and the TFX side both spell."""

import ast

from pipeline.airflow import node_graph, settings


def _dag_constants() -> dict[str, object]:
    tree = ast.parse(settings.DAG_FILE.read_text())
    return {
        target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def test_the_dag_file_reads_the_variables_the_tfx_side_sets():
    constants = _dag_constants()
    assert constants["NODES_ENV"] == settings.NODES_ENV
    assert constants["SCHEDULE_ENV"] == settings.SCHEDULE_ENV
    assert constants["DEFAULT_SCHEDULE"] == settings.DEFAULT_SCHEDULE


def test_the_settings_name_the_dag_folder_and_the_shape_file(tmp_path):
    nodes = tmp_path / settings.SHAPE_FOLDER / node_graph.NODES_FILE
    assert settings.dag_settings(nodes, "0 3 * * *") == {
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        settings.NODES_ENV: str(nodes),
        settings.SCHEDULE_ENV: "0 3 * * *",
    }
    assert settings.DAG_FILE.parent == settings.DAGS_FOLDER and settings.DAG_FILE.exists()
