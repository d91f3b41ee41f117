"""Folders whose names TFX cannot record are refused, in one line, before anything runs."""

import os
from pathlib import Path

import pytest

from pipeline import config, path_checks


def test_a_byte_that_is_not_utf8_is_printed_escaped_and_other_text_left_alone():
    assert (
        path_checks.printable(os.fsdecode(b"/data/span-\xff") + " caf\u00e9 \u2026")
        == "/data/span-\\xff caf\u00e9 \u2026"
    )
    assert path_checks.printable("a stray \ud800") == "a stray \\ud800"
    assert path_checks.shown(Path(os.fsdecode(b"/x/\xfe\xff"))) == "/x/\\xfe\\xff"


def test_a_name_that_is_not_utf8_is_named_with_its_flag_and_shown_escaped():
    odd = Path(os.fsdecode(b"/data/fashion-\xff"))
    assert not path_checks.is_utf8(odd) and path_checks.is_utf8("/data/caf\u00e9")
    assert path_checks.not_utf8({"--data-dir": None, "--output-dir": Path("/out"), "--serving-dir": odd}) == (
        "--serving-dir /data/fashion-\\xff: the name is not valid UTF-8, which TFX cannot record; rename the folder"
    )
    assert path_checks.not_utf8({"--data-dir": Path("/data/caf\u00e9")}) is None


def test_the_flags_refuse_it(tmp_path: Path):
    odd = os.fsdecode(bytes(tmp_path) + b"/data-\xff")
    with pytest.raises(config.ConfigError, match=r"^--data-dir .*/data-\\xff: the name is not valid UTF-8"):
        config.parse_args([f"--data-dir={odd}"])
    with pytest.raises(config.ConfigError, match=r"^--output-dir "):
        config.parse_args([f"--output-dir={odd}/out"])
