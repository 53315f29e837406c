"""Every path the README, the reference pages, --help and the messages name exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import xlfees
from xlfees.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(xlfees.__file__).parent           # the installed package
# A repository path: under one of its top-level folders, or a top-level page (README.md).
PATH = re.compile(r"(?<![\w./~-])((?:xlfees|workbook_templates|docs|scripts|tests|examples|\.ci)"
                  r"/[\w./-]*|[A-Z][\w-]*\.md)")


def _paths(text: str) -> set[str]:
    return {match.rstrip(".") for match in PATH.findall(text)}


def _exists(path: str) -> bool:
    if (ROOT / path).exists() or (ROOT / "docs" / path).exists():
        return True
    # What ships inside the wheel only (xlfees/workbook_templates/…) is in the installed package.
    return path.startswith("xlfees/") and (PACKAGE.parent / path).exists()


def _help_texts() -> dict[str, str]:
    texts = {"xlfees": CliRunner().invoke(cli, ["--help"]).output}
    for name in cli.commands:
        texts[f"xlfees {name}"] = CliRunner().invoke(cli, [name, "--help"]).output
    return texts


def _source_strings() -> dict[str, str]:
    """Every string literal in the package: errors, notes, help and docstrings."""
    found = {}
    for source in sorted((ROOT / "xlfees").rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        strings = [node.value for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)]
        found[str(source.relative_to(ROOT))] = "\n".join(strings)
    return found


DOCUMENTS = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}


@pytest.mark.parametrize("where", sorted(DOCUMENTS))
def test_paths_in_the_readme_and_docs_exist(where: str) -> None:
    """README.md and docs/*.md name only paths the repository has."""
    missing = sorted(p for p in _paths(DOCUMENTS[where]) if not _exists(p))
    assert not missing, f"{where} names {missing}"


def test_paths_in_help_exist() -> None:
    """No --help sends a reader to a file that is not there (the old DESIGN.md)."""
    texts = _help_texts()
    assert any("docs/json.md" in text for text in texts.values())
    missing = {where: sorted(p for p in _paths(text) if not _exists(p))
               for where, text in texts.items()}
    assert not {where: paths for where, paths in missing.items() if paths}


def test_paths_in_messages_and_docstrings_exist() -> None:
    """Error messages, notes and docstrings in the package name only existing paths."""
    missing = {where: sorted(p for p in _paths(text) if not _exists(p))
               for where, text in _source_strings().items()}
    assert not {where: paths for where, paths in missing.items() if paths}


def test_the_checker_catches_a_missing_path() -> None:
    """The pattern finds repository paths and the check fails on one that is not there."""
    text = "see DESIGN.md, docs/json.md and `scripts/build_template.py`; not ~/Clients/x.md"
    assert _paths(text) == {"DESIGN.md", "docs/json.md", "scripts/build_template.py"}
    assert not _exists("DESIGN.md") and _exists("docs/json.md")
    assert _exists("xlfees/workbook_templates/xlfees_template.xlsx")   # in the wheel


def test_layout_is_the_design_cards() -> None:
    """xlfees/ and workbook_templates/ at the top, no src/, the tests on the installed package."""
    for name in ("pyproject.toml", "README.md", "xlfees", "workbook_templates", "scripts",
                 "tests", "docs"):
        assert (ROOT / name).exists(), name
    assert not (ROOT / "src").exists()
    for name in ("xlfees_template.xlsx", "xlfees.xlam"):
        assert (ROOT / "workbook_templates" / name).is_file()
    assert PACKAGE != ROOT / "xlfees", "tests imported the checkout, not the installed package"


@pytest.mark.parametrize(("command", "name"), [("template", "xlfees_template.xlsx"),
                                               ("addin", "xlfees.xlam")])
def test_installed_package_writes_the_repository_files(tmp_path: Path, command: str,
                                                       name: str) -> None:
    """`xlfees template -o` and `xlfees addin -o` write byte-identical workbook_templates/ files."""
    target = tmp_path / name
    result = CliRunner().invoke(cli, [command, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == (ROOT / "workbook_templates" / name).read_bytes()


def test_every_command_help_is_reachable() -> None:
    """The commands named in `xlfees --help` are the ones click knows."""
    group: click.Group = cli
    assert set(group.commands) <= set(CliRunner().invoke(cli, ["--help"]).output.split())
