"""The bench's arithmetic: spreads over seeds, time to an accuracy, targets, the table."""

from bench import summary
from components.contract import files


def _speed(p50: float, images_per_second: float) -> dict[str, float]:
    return {
        "serving_latency_p50_ms": p50,
        "serving_latency_p99_ms": 2 * p50,
        "serving_images_per_second_batch256": images_per_second,
    }


def _results(profile: str, seed: dict, **figures) -> dict:
    """A bench's results for one seed's figures; ``figures`` are those that differ between the tests."""
    return {
        "profile": profile,
        "when": "2026-11-27T22:00:00+00:00",
        "machine": {
            "cpu": "AMD EPYC (avx512_bf16)",
            "cpus": 2,
            "memory_gib": 24.0,
            "python": "3.10.16",
            "onednn_isa": "Intel AVX-512 with Intel DL Boost and bfloat16 support",
            "amx": False,
            "onednn_max_cpu_isa": None,
        },
        "network": {
            "name": "pool_early",
            "stage_filters": [32, 64, 128],
            "epochs": 18,
            "multiply_adds": 15_891_968,
            "parameters": 293_594,
        },
        "machine_speed": {
            "reference": {
                "network": "double_conv",
                "stage_filters": [32, 64, 128],
                "seconds_per_step": 0.060,
                "seconds_per_step_runs": [0.1023, 0.060, 0.0612],
                "multiply_adds": 29_128_448,
            },
            profile: {
                "network": "pool_early",
                "stage_filters": [32, 64, 128],
                "seconds_per_step": 0.025,
                "seconds_per_step_runs": [0.025, 0.0511, 0.026],
                "multiply_adds": 15_891_968,
            },
        },
        "relative_training_time": 0.46875,
        "commit": "abc",
        "seeds": [seed["seed"]],
        "per_seed": [seed],
        "test_accuracy_spread": summary.spread([seed["scored_accuracy"]]),
        "pipeline_seconds_spread": summary.spread([seed["pipeline_seconds"]]),
        "test_accuracy": seed["scored_accuracy"],
        "test_accuracy_min": seed["scored_accuracy"],
        "serving_speedup": 2.5,
        "serving_side_by_side": {
            "reference": {"flip": _speed(2.0, 1200.0), "single": _speed(1.2, 2300.0)},
            profile: {"flip": _speed(1.1, 3000.0), "single": _speed(0.7, 5600.0)},
        },
        "pipeline_seconds": seed["pipeline_seconds"],
        "ratio": seed["ratio"],
        "rerun_seconds": 17.0,
        "rerun_nodes": 15,
        "rerun_cached": 11,
        "inspect_repeats": 5,
        "inspect_seconds": 0.3,
        "peak_memory_bytes": 2**31,
        "examples_written": 70000,
        "ingestion_examples_per_second": 38000.0,
        "serving_images_per_second_batch256": 3000.0,
        **figures,
    }


def test_spread_over_seeds():
    assert summary.spread([0.94, 0.93, 0.96]) == {"mean": 0.9433333333333334, "median": 0.94, "min": 0.93, "max": 0.96}


def test_time_to_accuracy_is_the_first_epoch_reaching_it_and_the_seconds_until_its_end():
    history = {"val_accuracy": [0.90, 0.935, 0.93, 0.941], files.EPOCH_SECONDS_KEY: [50.0, 35.0, 36.0, 34.0]}
    assert summary.time_to_accuracy(history, 0.93) == {"epoch": 2, "seconds": 85.0}
    assert summary.time_to_accuracy(history, 0.94) == {"epoch": 4, "seconds": 155.0}
    assert summary.time_to_accuracy(history, 0.95) is None
    assert summary.time_to_accuracy({"val_accuracy": [0.95]}, 0.94) == {"epoch": 1, "seconds": None}


def test_targets_hold_at_their_limits_and_fail_past_them():
    ratio = next(t for t in summary.targets_of("full") if t.key == "ratio")
    assert ratio.holds(1.05) and not ratio.holds(1.051) and ratio.holds(None) is None
    full = {t.key: t for t in summary.targets_of("full")}
    assert full["test_accuracy"].holds(0.942) and not full["test_accuracy"].holds(0.9419)
    assert full["test_accuracy_min"].holds(0.940) and not full["test_accuracy_min"].holds(0.9399)
    assert full["relative_training_time"].holds(0.55) and not full["relative_training_time"].holds(0.551)
    assert full["serving_speedup"].holds(2.0) and not full["serving_speedup"].holds(1.99)
    assert full["pipeline_seconds"].holds(420) and not full["pipeline_seconds"].holds(421)
    best = {t.key: t for t in summary.targets_of("best")}
    assert best["test_accuracy"].holds(0.950) and not best["test_accuracy"].holds(0.9499)
    assert best["pipeline_seconds"].holds(1800) and not best["pipeline_seconds"].holds(1801)


def test_the_plain_baseline_runs_only_where_the_ratio_is_a_target():
    assert summary.compares_plain("full") and summary.compares_plain("smoke")
    assert not summary.compares_plain("best") and "ratio" not in {t.key for t in summary.targets_of("best")}


def _full_results() -> dict:
    """A full bench's results for one seed."""
    seed = {
        "seed": 42,
        "plain_seconds": 400.0,
        "pipeline_seconds": 410.0,
        "ratio": 1.025,
        "scored_accuracy": 0.9401,
        "tfma_accuracy": 0.9401,
        "plain": {"test_accuracy": 0.9390},
        "time_to_accuracy": {"0.93": {"epoch": 12, "seconds": 420.5}, "0.94": None},
        "seconds_per_epoch": 23.4,
    }
    return _results(
        "full", seed, ratio_spread=summary.spread([1.025]), serving_latency_p50_ms=2.5, serving_latency_p99_ms=4.0,
        component_seconds={"Trainer": 380.0},
    )  # fmt: skip


def test_the_table_has_every_target_and_a_row_per_seed():
    results = _full_results()
    table = summary.markdown(results, summary.targets_of("full"))
    for target in summary.targets_of("full"):
        assert f"| {target.name} |" in table
    assert "| serving latency, 1 image, p50 | 2.5 ms | <= 2 ms | **no** |" in table
    assert (
        "| 42 | 400.0 s | 410.0 s | 1.025 | 0.9401 (0.9401) | n/a | 0.9390 | 23.4 | epoch 12 (191 M MAC-epochs), "
        "420.5 s | not reached |" in table
    )
    machine_figures = (
        "AMD EPYC (avx512_bf16)",
        "15.9 M multiply-adds per image forward, 293,594 parameters, 18 epochs",
        "oneDNN did not use AMX (ISA: Intel AVX-512 with Intel DL Boost and bfloat16 support)",
        "reference (double_conv [32, 64, 128]) 60.0 ms/step, fastest of 102.3/60.0/61.2 (29.1 M multiply-adds), "
        "full (pool_early [32, 64, 128]) 25.0 ms/step, fastest of 25.0/51.1/26.0 (15.9 M",
        "| serving side by side: reference, with flip averaging | p50 2.00 ms, p99 4.00 ms, 1,200 images/s at batch "
        "256 |",
        "| serving side by side: full, one pass | p50 0.70 ms, p99 1.40 ms, 5,600 images/s at batch 256 |",
        "against today's recipe (double_conv, 16 epochs, full data) on this machine: 0.47x",
    )
    assert [figure for figure in machine_figures if figure not in table] == []


def test_a_profile_without_plain_runs_shows_none():
    seed = {
        "seed": 7,
        "pipeline_seconds": 1700.0,
        "ratio": None,
        "scored_accuracy": 0.951,
        "tfma_accuracy": 0.951,
        "time_to_accuracy": {"0.93": {"epoch": 9, "seconds": 700.0}, "0.94": {"epoch": 15, "seconds": 1200.0}},
    }
    results = _results(
        "best", seed, ratio_spread=None, serving_latency_p50_ms=1.5, serving_latency_p99_ms=2.0,
        component_seconds={"Trainer": 1600.0},
    )  # fmt: skip
    table = summary.markdown(results, summary.targets_of("best"))
    assert "| test accuracy (mean of the seeds, scored through serving_default) | 0.951  | >= 0.95  | yes |" in table
    assert "no plain-Keras runs at this profile" in table
    assert (
        "| 7 | n/a | 1700.0 s | n/a | 0.9510 (0.9510) | n/a | n/a | n/a | epoch 9 (143 M MAC-epochs), 700.0 s "
        "| epoch 15 (238 M MAC-epochs), 1,200.0 s |" in table
    )


def test_the_on_device_model_has_its_rows_and_targets():
    seed = {
        "seed": 42, "pipeline_seconds": 60.0, "ratio": None, "scored_accuracy": 0.80, "tfma_accuracy": 0.80,
        "lite_scored_accuracy": 0.797, "time_to_accuracy": {"0.93": None, "0.94": None},
    }  # fmt: skip
    speed = {"latency_p50_ms": 0.21, "latency_p99_ms": 0.9, "images_per_second_batch256": 9000.0}
    lite = {
        "quantization": "full_integer", "size_bytes": 330_000, "float_size_bytes": 1_200_000,
        "candidates": [
            {"quantization": "float", "size_bytes": 1_200_000}, {"quantization": "full_integer", "size_bytes": 330_000}
        ],
        "scored_accuracy_spread": summary.spread([0.797]), "accuracy_gap_max": 0.003, "speed": {"1": speed},
    }  # fmt: skip
    results = _results(
        "smoke", seed, ratio_spread=None, serving_latency_p50_ms=1.5, serving_latency_p99_ms=2.0,
        component_seconds={"Trainer": 30.0}, lite=lite, lite_accuracy_gap=0.003, lite_size_fraction=0.275,
    )  # fmt: skip
    table = summary.markdown(results, summary.targets_of("smoke"))
    assert "| 42 | n/a | 60.0 s | n/a | 0.8000 (0.8000) | 0.7970 | n/a |" in table
    assert "| on-device model's size / the float TFLite model's | 0.275  | <= 0.333333  | yes |" in table
    assert "full_integer TFLite, 322.3 KB (0.28 of the float model's); candidates: float 1,171.9 KB" in table
    assert "at most 0.30 pp below the SavedModel's |" in table
    assert "| on-device serving, 1 interpreter thread(s), XNNPACK | p50 0.210 ms, p99 0.900 ms, 9,000 images/s" in table
    gap = {t.key: t for t in summary.targets_of("full")}["lite_accuracy_gap"]
    assert gap.holds(0.005) and not gap.holds(0.0051)


def test_a_profile_on_a_subset_has_no_training_time_against_the_reference_recipe():
    seed = {
        "seed": 42, "pipeline_seconds": 60.0, "ratio": None, "scored_accuracy": 0.8, "tfma_accuracy": 0.8,
        "time_to_accuracy": {"0.93": None, "0.94": None},
    }  # fmt: skip
    results = _results(
        "smoke", seed, ratio_spread=None, serving_latency_p50_ms=1.5, serving_latency_p99_ms=2.0,
        component_seconds={"Trainer": 30.0}, relative_training_time=None,
    )  # fmt: skip
    assert "on this machine: n/a (this profile does not train on the full data at batch 128)" in summary.markdown(
        results, summary.targets_of("smoke")
    )


def test_serving_speedup_compares_the_named_views():
    side = {
        "reference": {"flip": _speed(2.0, 1000.0), "single": _speed(1.0, 1900.0)},
        "full": {"flip": _speed(1.0, 2500.0), "single": _speed(0.5, 4000.0)},
    }
    assert summary.serving_speedup(side, ("full", "flip"), ("reference", "flip")) == 2.5
    assert summary.serving_speedup(side, ("full", "single"), ("reference", "flip")) == 4.0


def test_seconds_per_epoch_and_mac_epochs():
    assert summary.seconds_per_epoch({files.EPOCH_SECONDS_KEY: [30.0, 20.0, 22.0]}) == 24.0
    assert summary.seconds_per_epoch({}) is None
    assert summary.mac_epochs(15_891_968, {"epoch": 11, "seconds": 250.0}) == 15_891_968 * 11
    assert summary.mac_epochs(15_891_968, None) is None


def test_the_table_prints_each_timings_cores_and_says_when_a_network_only_ran_narrow():
    results = _full_results()
    results["machine_speed"]["reference"] |= {"cores_busy_runs": [1.31, 1.35, 1.33], "narrow": True}
    table = summary.markdown(results, summary.targets_of("full"))
    assert (
        "reference (double_conv [32, 64, 128]) 60.0 ms/step, fastest of 102.3 (1.31 cores)/60.0 (1.35 cores)/61.2 "
        "(1.33 cores) (29.1 M multiply-adds) **every timing ran narrow: not like for like**" in table
    )
    assert "fastest of 25.0/51.1/26.0 (15.9 M multiply-adds);" in table
