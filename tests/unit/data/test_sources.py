"""Finding and verifying the raw data, without touching the network or apt."""

import shutil
from pathlib import Path

import pytest

from data import idx, sources
from tests.support.idx_fixtures import make_dataset_dir, write_idx


@pytest.fixture
def as_official(monkeypatch, dataset_dir: Path) -> Path:
    """Makes the small fixture files count as the official dataset."""
    digests = sources.verify_directory(dataset_dir, require_official=False, source="fixture").sha256
    monkeypatch.setattr(sources, "OFFICIAL_SHA256", digests)
    return dataset_dir


def test_data_dir_with_other_data_is_accepted_and_flagged(dataset_dir: Path):
    dataset = sources.locate(data_dir=dataset_dir, raw_dir=dataset_dir / "unused")
    assert not dataset.official
    assert dataset.counts[sources.TRAIN_LABELS] == 60 and dataset.counts[sources.TEST_IMAGES] == 20
    assert dataset.directory == dataset_dir


def test_data_dir_is_the_only_source(dataset_dir: Path, tmp_path: Path):
    (dataset_dir / sources.TEST_LABELS).unlink()
    debian = make_dataset_dir(tmp_path / "debian")
    with pytest.raises(idx.IdxError, match=f"{sources.TEST_LABELS}: file not found"):
        sources.locate(data_dir=dataset_dir, raw_dir=tmp_path / "raw", debian_dir=debian)


def test_data_dir_structure_is_checked_strictly(dataset_dir: Path):
    write_idx(dataset_dir / sources.TRAIN_LABELS, [1] * 59)
    with pytest.raises(idx.IdxError, match="59 labels for 60 images"):
        sources.locate(data_dir=dataset_dir, raw_dir=dataset_dir / "unused")


def test_copies_from_the_debian_folder_into_raw(as_official: Path, tmp_path: Path):
    raw = tmp_path / "raw"
    dataset = sources.locate(data_dir=None, raw_dir=raw, debian_dir=as_official, allow_apt=False, allow_download=False)
    assert dataset.official and dataset.directory == raw
    assert sorted(p.name for p in raw.iterdir()) == sorted(sources.FILE_NAMES)


def test_reuses_verified_raw_files(as_official: Path, tmp_path: Path):
    raw = tmp_path / "raw"
    shutil.copytree(as_official, raw)
    dataset = sources.locate(
        data_dir=None, raw_dir=raw, debian_dir=tmp_path / "none", allow_apt=False, allow_download=False
    )
    assert dataset.directory == raw and dataset.official


def test_a_hash_mismatch_from_a_known_source_is_an_error(dataset_dir: Path, tmp_path: Path):
    raw = tmp_path / "raw"
    with pytest.raises(idx.IdxError, match="SHA-256 of the decompressed content is"):
        sources.locate(data_dir=None, raw_dir=raw, debian_dir=dataset_dir, allow_apt=False, allow_download=False)
    assert not any(p.name in sources.FILE_NAMES for p in raw.iterdir()), "nothing unverified lands in raw/"


def test_no_source_says_what_to_do(tmp_path: Path):
    with pytest.raises(sources.DataSourceError, match="apt-get install dataset-fashion-mnist"):
        sources.locate(
            data_dir=None, raw_dir=tmp_path / "raw", debian_dir=tmp_path / "none", allow_apt=False, allow_download=False
        )


def test_official_hashes_are_the_published_ones():
    assert sources.OFFICIAL_SHA256[sources.TRAIN_IMAGES].startswith("c59f468a")
    assert sources.OFFICIAL_SHA256[sources.TEST_LABELS].startswith("0402a96d")


def test_the_preflight_check_needs_no_tensorflow(dataset_dir: Path):
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from data import sources\n"
        "import pipeline.local.runner\n"
        f"sources.locate(data_dir=Path({str(dataset_dir)!r}), raw_dir=Path('unused'))\n"
        "heavy = sorted(m for m in ('tensorflow', 'tfx', 'apache_beam') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
