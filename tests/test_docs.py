"""Every command has help with examples, and the README shows the commands it promises."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xlfees.cli import cli

README = Path(__file__).parent.parent / "README.md"
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_examples(name: str) -> None:
    """`xlfees NAME --help` exits 0 and shows a description and examples."""
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    command: click.Command = cli.commands[name]
    assert command.help and len(command.help.strip()) > 20
    assert "Examples:" in result.output
    assert f"xlfees {name}" in result.output


def test_group_help_lists_every_command() -> None:
    """`xlfees --help` lists every command."""
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_readme_documents_every_command() -> None:
    """The README mentions `xlfees NAME` for every command."""
    text = README.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"xlfees {name}" in text


def _fenced_commands(text: str) -> list[str]:
    blocks = text.split("```sh\n")[1:]
    return [block.split("```")[0].strip() for block in blocks]


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run contains the README's test command verbatim."""
    readme = README.read_text(encoding="utf-8")
    test_command = next(c for c in _fenced_commands(readme) if "pytest" in c)
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci
