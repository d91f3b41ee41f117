"""The machine-speed reference's figures and how the bench times it (bench/machine_speed.py), and
the bench's reference-only mode (bench/run.py)."""

import pytest

from bench import machine_speed, run
from pipeline.config import PROFILES


def _timing(ms: float, cores: float) -> dict[str, float]:
    return {"seconds_per_step": ms / 1000, "cores_busy": cores}


def test_the_machine_speed_of_a_network_is_its_fastest_timing_with_the_isa_from_the_probed_one():
    probed = {"seconds_per_step": 0.1023, "onednn_isa": "AVX-512 with AMX", "amx": True, "onednn_max_cpu_isa": None}
    timings = [probed, {"seconds_per_step": 0.0601}, {"seconds_per_step": 0.0612}]
    assert machine_speed.fastest(timings) == {
        "seconds_per_step": 0.0601,
        "seconds_per_step_runs": [0.1023, 0.0601, 0.0612],
        "onednn_isa": "AVX-512 with AMX",
        "amx": True,
        "onednn_max_cpu_isa": None,
    }


def test_a_timing_that_kept_fewer_cores_busy_than_the_busiest_ran_narrow():
    # Measured on the 2-core VM: double_conv 51.1 ms at 1.35 cores (one core's speed), 37.8 ms at 1.76.
    runs = {"reference": [_timing(51.1, 1.35), _timing(37.8, 1.76)], "full": [_timing(24.1, 1.69)]}
    assert machine_speed.busiest(runs) == 1.76
    assert machine_speed.narrow(runs["reference"][0], 1.76)
    assert not machine_speed.narrow(runs["reference"][1], 1.76)
    figure = machine_speed.fastest(runs["reference"], 1.76)
    assert figure["seconds_per_step"] == 0.0378 and figure["narrow"] is False
    assert figure["cores_busy_runs"] == [1.35, 1.76]
    assert machine_speed.narrow_networks(runs) == []
    # Every timing of double_conv narrow: its fastest is one core's speed, and it is timed again.
    runs["reference"] = [_timing(51.1, 1.31), _timing(50.0, 1.35)]
    assert machine_speed.narrow_networks(runs) == ["reference"]


def test_timings_that_do_not_say_their_cores_are_never_narrow():
    assert not machine_speed.narrow({"seconds_per_step": 0.05}, 1.8)
    assert "narrow" not in machine_speed.fastest([{"seconds_per_step": 0.05}], 1.8)


def test_training_time_against_the_reference_recipe_is_a_ratio_of_steps_timed_side_by_side():
    new, reference = {"seconds_per_step": 0.025}, {"seconds_per_step": 0.060}
    assert machine_speed.relative_training_time(new, 18, reference, 16) == (18 * 0.025) / (16 * 0.060)
    assert machine_speed.relative_training_time(reference, 16, reference, 16) == 1.0


@pytest.mark.parametrize(
    ("reference_cores", "expected_reference_timings"),
    [
        (1.76, machine_speed.REFERENCE_REPEATS),  # full speed from the start: three timings each, in turns
        (1.3, machine_speed.REFERENCE_MAX_REPEATS),  # narrow every time: timed again up to the limit
    ],
)
def test_the_bench_times_a_network_again_while_its_fastest_timing_ran_narrow(
    monkeypatch, tmp_path, reference_cores, expected_reference_timings
):
    timed: list[str] = []

    def fake_reference(config, log, *, probe):
        timed.append(config.network)
        ms, cores = (37.8, reference_cores) if config.network == "double_conv" else (24.1, 1.69)
        return {**_timing(ms, cores), "probed": probe}

    monkeypatch.setattr(machine_speed, "time_once", fake_reference)
    training = PROFILES["full"].training
    configs = {run.REFERENCE_NAME: run.reference_recipe(training), "full": training}
    figures = machine_speed.time_side_by_side(configs, tmp_path / "bench.log")
    assert timed.count("double_conv") == expected_reference_timings
    assert timed.count("pool_early") == machine_speed.REFERENCE_REPEATS
    assert timed[:2] == ["double_conv", "pool_early"]  # in turns
    assert figures["full"]["narrow"] is False
    assert figures[run.REFERENCE_NAME]["narrow"] is (reference_cores < machine_speed.FULL_WIDTH * 1.69)


def test_the_reference_only_mode_writes_the_machine_speed_and_the_training_time_target_alone(monkeypatch, tmp_path):
    def fake_reference(config, log, *, probe):
        ms = 40.4 if config.network == "double_conv" else 26.8
        amx = {"onednn_isa": "AVX-512 with AMX", "amx": True, "onednn_max_cpu_isa": None} if probe else {}
        return {**_timing(ms, 1.7), "network": config.network, "stage_filters": list(config.stage_filters),
                "multiply_adds": 29_128_448 if ms > 30 else 15_891_968, "parameters": 1000, **amx}  # fmt: skip

    monkeypatch.setattr(machine_speed, "time_once", fake_reference)
    bench_dir = tmp_path / "bench"
    (bench_dir / "seed-42").mkdir(parents=True)  # a bench before: replaced
    assert run.main(["--profile=full", f"--output-dir={bench_dir}", "--reference-only"]) == 0
    assert sorted(p.name for p in bench_dir.iterdir()) == ["bench.json", "bench.md"]
    table = (bench_dir / "bench.md").read_text()
    assert "the machine-speed reference only" in table and "oneDNN used AMX" in table
    assert (
        "| training time against today's recipe (double_conv), timed side by side | 0.7463 x | <= 0.55 x | **no** |"
        in (table)
    )
    assert "test accuracy" not in table and "| seed |" not in table
