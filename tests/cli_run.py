"""Running the command line in-process as a user would, for the hostile-input tests."""

from __future__ import annotations

from click.testing import CliRunner

from xlfees.cli import cli


def run(*args: object) -> tuple[int, str]:
    """The exit status and everything printed, for ``xlfees ARGS``."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def one_error_line(output: str) -> str:
    """The output is exactly one line, `Error: …`; give it without the prefix."""
    lines = output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert "Traceback" not in output
    return lines[0][len("Error: "):]
