"""The model cache's rules, without a model: what counts as a usable export, where it lives."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from callcoach.scoring.embedding_model import choose_backend
from callcoach.scoring.embedding_onnx import (
    EXPORT_RECIPE,
    MANIFEST_FILE,
    ONNX_FILE,
    ExportError,
    ensure_export,
    model_cache_dir,
    verified_export,
)


def _export(folder: Path, content: bytes = b"onnx" * 1000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / ONNX_FILE
    model.write_bytes(content)
    manifest = {
        "recipe": EXPORT_RECIPE,
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    return model


def test_an_export_its_manifest_vouches_for_is_used(tmp_path: Path) -> None:
    model = _export(tmp_path)
    assert verified_export(tmp_path) == model


@pytest.mark.parametrize("damage", ["truncated", "overwritten", "no manifest", "old recipe"])
def test_a_damaged_or_partial_export_is_not_used(tmp_path: Path, damage: str) -> None:
    model = _export(tmp_path)
    if damage == "truncated":
        model.write_bytes(model.read_bytes()[:-10])
    elif damage == "overwritten":
        model.write_bytes(b"x" * model.stat().st_size)
    elif damage == "no manifest":
        (tmp_path / MANIFEST_FILE).unlink()
    else:
        manifest = json.loads((tmp_path / MANIFEST_FILE).read_text(encoding="utf-8"))
        (tmp_path / MANIFEST_FILE).write_text(json.dumps({**manifest, "recipe": "older"}))
    assert verified_export(tmp_path) is None


def test_the_cache_folder_is_the_setting_then_the_variable_then_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CALLCOACH_MODEL_CACHE", raising=False)
    assert model_cache_dir() == tmp_path / "xdg" / "callcoach"
    monkeypatch.setenv("CALLCOACH_MODEL_CACHE", str(tmp_path / "env"))
    assert model_cache_dir() == tmp_path / "env"
    assert model_cache_dir(str(tmp_path / "setting")) == tmp_path / "setting"


def test_an_unwritable_cache_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{}")
    with pytest.raises(ExportError, match="CALLCOACH_MODEL_CACHE") as error:
        ensure_export(model_dir, blocker / "cache")
    assert str(blocker) in str(error.value)


def test_an_unknown_backend_is_refused_with_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="openvino, onnx, torch"):
        choose_backend("tensorflow")
    monkeypatch.setenv("CALLCOACH_EMBEDDING_BACKEND", "Torch")
    assert choose_backend(None) == "torch"
    assert choose_backend("onnx") == "onnx"
