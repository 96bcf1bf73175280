"""The scaffold scripts write a form module and a lint code page that start from the right shape."""

from __future__ import annotations

import ast
import importlib.util
import inspect
from pathlib import Path
from types import ModuleType

import pytest

from kpirules.forms.base import Form

ROOT = Path(__file__).resolve().parent.parent


def script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_new_form_module_has_every_method_a_form_implements(tmp_path: Path) -> None:
    assert script("new_form").main(["best_of", "--forms", str(tmp_path)]) == 0
    tree = ast.parse((tmp_path / "best_of.py").read_text("utf-8"))
    (form,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "BestOfForm"]
    defined = {n.name for n in form.body if isinstance(n, ast.FunctionDef)}
    abstract = {name for name, member in inspect.getmembers(Form) if getattr(member, "__isabstractmethod__", False)}
    assert abstract <= defined
    assert any(isinstance(n, ast.Assign) and n.targets[0].id == "FORM" for n in tree.body if isinstance(n, ast.Assign))  # type: ignore[attr-defined]
    with pytest.raises(SystemExit):
        script("new_form").main(["best_of", "--forms", str(tmp_path)])  # never overwrites


def test_a_new_lint_code_gets_a_page_with_bad_and_good_examples(tmp_path: Path) -> None:
    assert (
        script("new_lint_code").main(
            ["KPI-G209", "band-overlap", "warning", "Bands overlap.", "--rules", str(tmp_path)]
        )
        == 0
    )
    page = (tmp_path / "KPI-G209.md").read_text("utf-8")
    assert page.count("```toml") == 2 and "## Bad" in page and "## Good" in page
    with pytest.raises(SystemExit):
        script("new_lint_code").main(["KPI-Z1", "x", "error", "y", "--rules", str(tmp_path)])
