"""The layering of STYLE.md, enforced: dependencies point inward, the domain stays pure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_passes_five_hundred_lines() -> None:
    """STYLE.md: if a module passes ~500 lines, it is two modules."""
    too_long = {
        str(path.relative_to(ROOT)): count
        for path in (ROOT / "src" / "callcoach").rglob("*.py")
        if "migrations" not in path.parts
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not too_long, too_long
