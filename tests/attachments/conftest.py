"""Every attachment test stores under its own temporary MEDIA_ROOT, so "nothing stored" can be checked."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def stored_paths(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())
