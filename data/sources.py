"""Finding, fetching and verifying the raw Fashion-MNIST files.

Sources, in order:
  1. ``data_dir`` when given: the only source. A file missing there is an error,
     never a silent fall-back. It may hold other data in the same format (a
     relabelled or extended set): its structure is checked strictly and the
     result says whether it is the official dataset.
  2. ``raw_dir`` (``data/raw/``) when it holds the four files and they verify.
  3. Debian's package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``),
     installed with apt-get first where apt and root are available.
  4. The canonical download URLs.

Whatever is fetched or copied from a known source must match the official
SHA-256 of its decompressed content, and lands in ``raw_dir`` atomically.
Needs no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

from data import idx

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILE_NAMES: tuple[str, ...] = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# SHA-256 of the *decompressed* IDX content. Debian recompressed its .gz files,
# so the hashes of the compressed files differ from upstream's; these do not.
OFFICIAL_SHA256: dict[str, str] = {
    TRAIN_IMAGES: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    TRAIN_LABELS: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    TEST_IMAGES: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    TEST_LABELS: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

DEBIAN_PACKAGE = "dataset-fashion-mnist"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DOWNLOAD_BASE_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"


class DataSourceError(RuntimeError):
    """No usable copy of the dataset could be found or fetched."""


@dataclasses.dataclass(frozen=True)
class RawDataset:
    """Four verified IDX files.

    Attributes:
      directory: where the files are.
      sha256: file name -> SHA-256 of its decompressed content.
      counts: file name -> number of examples it holds.
      official: whether every hash is the official Fashion-MNIST one.
      source: a short human description of where the files came from.
    """

    directory: Path
    sha256: dict[str, str]
    counts: dict[str, int]
    official: bool
    source: str


def read_all(directory: Path | str) -> dict[str, idx.IdxContent]:
    """Reads the four IDX files under ``directory`` (a local folder or a gs:// URI) and checks each pair's counts.

    Raises:
      idx.IdxError: a file is missing or malformed, or an images file and its labels file disagree.
    """
    contents = {}
    for name in FILE_NAMES:
        reader = idx.read_images if "images" in name else idx.read_labels
        contents[name] = reader(os.path.join(directory, name))
    for images, labels in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        idx.check_pair(contents[images], contents[labels], labels_path=os.path.join(directory, labels))
    return contents


def verify_directory(directory: Path, *, require_official: bool, source: str) -> RawDataset:
    """Checks the four IDX files in ``directory`` and hashes their content.

    Raises:
      idx.IdxError: a file is missing or malformed, counts differ, or (with
        ``require_official``) a hash is not the official one.
    """
    directory = Path(directory)
    contents = read_all(directory)
    sha256 = {name: c.sha256 for name, c in contents.items()}
    if require_official:
        for name, digest in sha256.items():
            if digest != OFFICIAL_SHA256[name]:
                raise idx.IdxError(
                    directory / name,
                    f"SHA-256 of the decompressed content is {digest}, not the official {OFFICIAL_SHA256[name]}",
                )
    return RawDataset(
        directory=directory,
        sha256=sha256,
        counts={name: len(c.array) for name, c in contents.items()},
        official=sha256 == OFFICIAL_SHA256,
        source=source,
    )


def locate(
    *,
    data_dir: Path | None,
    raw_dir: Path,
    debian_dir: Path = DEBIAN_DIR,
    allow_apt: bool = True,
    allow_download: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> RawDataset:
    """Finds (fetching when needed) and verifies the raw dataset. See the module docstring.

    Raises:
      idx.IdxError: a file that is there is malformed or fails its hash.
      DataSourceError: no source could provide the files.
    """
    if data_dir is not None:
        return verify_directory(data_dir, require_official=False, source=f"DATA_DIR {data_dir}")

    raw_dir = Path(raw_dir)
    if all((raw_dir / name).is_file() for name in FILE_NAMES):
        # Files we put there were verified on the way in; anything else there is
        # an error to report, not something to overwrite silently.
        return verify_directory(raw_dir, require_official=True, source=f"{raw_dir}")

    attempts = []
    if not _complete(debian_dir) and allow_apt:
        attempts.append(_apt_install(log))
    if _complete(debian_dir):
        log(f"copying the dataset from {debian_dir}")
        return _import_files(
            lambda name, dest: shutil.copyfile(debian_dir / name, dest),
            raw_dir,
            source=f"Debian package {DEBIAN_PACKAGE} ({debian_dir})",
        )
    attempts.append(f"{debian_dir} does not hold the four files")
    if allow_download:
        log(f"downloading the dataset from {DOWNLOAD_BASE_URL}")
        try:
            return _import_files(_download, raw_dir, source=DOWNLOAD_BASE_URL)
        except OSError as e:
            attempts.append(f"download failed ({e})")
    raise DataSourceError(
        "no copy of Fashion-MNIST found: "
        + "; ".join(a for a in attempts if a)
        + f". Install it with `apt-get install {DEBIAN_PACKAGE}` or pass DATA_DIR=<folder with the four .gz files>"
    )


def _complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in FILE_NAMES)


def _apt_install(log: Callable[[str], None]) -> str:
    """Installs the Debian package where possible; returns why not otherwise."""
    apt = shutil.which("apt-get")
    if apt is None:
        return "apt-get is not available"
    if os.geteuid() != 0:
        return f"not root, so `apt-get install {DEBIAN_PACKAGE}` was not tried"
    log(f"installing the Debian package {DEBIAN_PACKAGE}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        [apt, "install", "-y", "-q", DEBIAN_PACKAGE],
        [apt, "update", "-q"],
        [apt, "install", "-y", "-q", DEBIAN_PACKAGE],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if command[1] == "install" and result.returncode == 0:
            return ""
    last_line = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
    return f"`apt-get install {DEBIAN_PACKAGE}` failed: {last_line}"


def _download(name: str, dest: Path) -> None:
    with urllib.request.urlopen(DOWNLOAD_BASE_URL + name, timeout=60) as response, open(dest, "wb") as out:
        shutil.copyfileobj(response, out)


def _import_files(fetch: Callable[[str, Path], None], raw_dir: Path, *, source: str) -> RawDataset:
    """Fetches the four files into a staging folder, verifies them, then moves them into raw_dir."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=raw_dir, prefix=".staging-") as staging:
        staging_dir = Path(staging)
        for name in FILE_NAMES:
            fetch(name, staging_dir / name)
        dataset = verify_directory(staging_dir, require_official=True, source=source)
        for name in FILE_NAMES:
            os.replace(staging_dir / name, raw_dir / name)
    return dataclasses.replace(dataset, directory=raw_dir)


def main(argv: list[str] | None = None) -> int:
    """`python -m data.sources [--data-dir DIR] [--raw-dir DIR]`: fetch and verify, one line of outcome."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--raw-dir", type=Path, default=Path(__file__).parent / "raw")
    args = parser.parse_args(argv)
    try:
        dataset = locate(data_dir=args.data_dir, raw_dir=args.raw_dir, log=lambda m: print(m, flush=True))
    except (idx.IdxError, DataSourceError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    kind = "official Fashion-MNIST" if dataset.official else "NOT the official Fashion-MNIST (hashes differ)"
    counts = ", ".join(f"{n}: {c}" for n, c in dataset.counts.items() if "labels" in n)
    print(f"data ok: {dataset.directory} from {dataset.source}; {kind}; {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
