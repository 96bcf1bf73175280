"""The wheel ships the grammar and type information, and kpirules loads its grammar from there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("kpirules-*.whl")
    return built


def test_wheel_contains_grammar_types_and_entry_point(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "kpirules/grammar/kpirules.lark" in names
    assert "kpirules/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kpirules = kpirules.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    grammar = zipfile.ZipFile(wheel).read("kpirules/grammar/kpirules.lark").decode("utf-8")
    assert grammar == (ROOT / "grammar" / "kpirules.lark").read_text("utf-8")


def test_rules_load_from_the_installed_wheel(wheel: Path) -> None:
    # Import kpirules from the wheel file alone (zipimport), not from the source tree.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import kpirules;"
        "assert kpirules.__file__.startswith(sys.argv[1]), kpirules.__file__;"
        'rs = kpirules.loads(\'[ruleset]\\nid = "w"\\n[measures.r]\\ntype = "rate"\\n'
        '[[indicators]]\\nid = "i"\\nweight = 10\\nmeasure = "r"\\nrule = "deduct 0.5 pts per 1% below 95%"\\n\');'
        "print(rs.evaluate({'r': '90%'}).total)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(wheel)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7.50"
