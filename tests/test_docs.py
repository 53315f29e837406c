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
    for sub in getattr(command, "commands", {}):   # a group's own commands: the same
        result = CliRunner().invoke(cli, [name, sub, "--help"])
        assert result.exit_code == 0
        assert command.commands[sub].help and "Examples:" in result.output
        assert f"xlfees {name} {sub}" in result.output


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


DOCS = README.parent / "docs"


@pytest.mark.parametrize("page", ["README.md", "docs/client_toml.md"])
def test_client_toml_examples_are_accepted(page: str) -> None:
    """Every ```toml block in the README and the reference parses and passes validation."""
    import re
    import tomllib

    from xlfees import Settings
    from xlfees.sources.group_toml import group_file_from_toml
    text = (README.parent / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    assert blocks
    for block in blocks:
        document = tomllib.loads(block)
        if "locations" in document:   # a group.toml
            group_file_from_toml(document, Path("group.toml"), document["locations"])
        else:
            Settings.from_toml(document)


def test_json_reference_examples_are_real_output(handworked_dir: Path) -> None:
    """The examples in docs/json.md are what the commands print (one record of each list)."""
    import json
    import re
    text = (DOCS / "json.md").read_text(encoding="utf-8")
    analysis_example, inspect_example = (json.loads(block) for block in
                                         re.findall(r"```json\n(.*?)```", text, re.DOTALL))
    actual = json.loads(CliRunner().invoke(cli, ["analyze", str(handworked_dir),
                                                 "--json"]).output)
    assert actual["client"] == analysis_example["client"]
    for key in ("payers", "targets", "alt_benefits", "notes"):
        assert analysis_example[key][0] in actual[key], key
        assert list(analysis_example[key][0]) == list(actual[key][0]), key
    pdf = README.parent / "examples" / "riverbend-family-dental" / "payers" / \
        "ameritas_ppo_2026.pdf"
    read = json.loads(CliRunner().invoke(cli, ["inspect", str(pdf), "--json"]).output)
    for key in ("role", "sheet", "header_row", "header_page", "columns"):
        assert read[key] == inspect_example[key], key
    assert inspect_example["rows"][0] == read["rows"][0]
    assert inspect_example["rejected"] == read["rejected"]
    assert list(read)[:5] == ["file", "role", "sheet", "header_row", "header_page"]
