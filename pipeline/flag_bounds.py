"""The range of each numeric flag of the runner, checked before anything runs (pipeline/config.py)."""

from __future__ import annotations

import argparse

# The range each numeric flag accepts, inclusive: (flag, smallest, largest); None for no bound. The upper
# bounds stop a typo (an extra digit, a misplaced exponent) before it costs minutes or overflows TensorFlow.
FLAG_BOUNDS: tuple[tuple[str, float | None, float | None], ...] = (
    ("--epochs", 1, 10_000),
    ("--batch-size", 1, 65_536),
    ("--learning-rate", None, 10.0),
    ("--seed", 0, 2**32 - 1),
    ("--accuracy-floor", 0.0, 1.0),
    ("--class-accuracy-floor", 0.0, 1.0),
    ("--max-accuracy-drop", 0.0, 1.0),
    ("--tune-trials", 0, 1_000),
    ("--tune-epochs", 1, 10_000),
    ("--span-window", 0, 1_000_000),
    ("--warm-start-epochs", 1, 10_000),
    ("--pixel-drift-threshold", 0.0, 1.0),
)


def check_bounds(args: argparse.Namespace) -> str | None:
    """What is wrong with the numeric flags given, in one sentence; None when nothing is."""
    for flag, low, high in FLAG_BOUNDS:
        value = getattr(args, flag.removeprefix("--").replace("-", "_"))
        if value is None:
            continue
        if value != value:  # NaN compares false with every bound
            return f"{flag} must be a number, got {value}"
        if low is not None and value < low:
            return f"{flag} must be at least {low}, got {value}"
        if high is not None and value > high:
            return f"{flag} must be at most {high}, got {value}"
    if args.learning_rate is not None and not args.learning_rate > 0:
        return f"--learning-rate must be positive, got {args.learning_rate}"
    return None
