"""The Makefile finds a Python that can run Django 6, and says what to install when there is none."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _copy_project_files(tmp_path: Path) -> Path:
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_make_finds_a_python_of_at_least_3_12(tmp_path):
    project = _copy_project_files(tmp_path)
    out = subprocess.run(["make", "-s", "python"], cwd=project, capture_output=True, text=True, check=True)
    found = out.stdout.strip()
    version = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == "True"


def test_make_stops_with_a_clear_message_without_python_3_12(tmp_path):
    project = _copy_project_files(tmp_path)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    # Nothing on PATH and no pyenv under HOME: no interpreter can be found.
    out = subprocess.run(
        [shutil.which("make"), "venv"],
        cwd=project,
        env={"PATH": str(empty_bin), "HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "é preciso Python 3.12 ou mais novo" in out.stderr
    assert not (project / ".venv").exists()
