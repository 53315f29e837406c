"""Property-based fuzzing of the text reader and the client-folder loader (hypothesis).

Whatever the bytes, the promises hold: the command ends with exit 0 and every line
that looks like a row is kept or named as rejected, or with exactly one `Error:` line
that is not a bug report; never a traceback.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlfees import XlfeesError, read_schedule
from xlfees.cdt import normalize_code
from xlfees.cli import cli

HANDWORKED = Path(__file__).parent / "data" / "clients" / "handworked"
BUDGET = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])

codes = st.sampled_from(["D0120", "d0140", "2391", "D2740.", "D9999", "X1234", ""])
amounts = st.sampled_from(["50", "$1,105.00", "1 105,00", "BR", "N/C", "-5", "1e400", "",
                           "1" + "0" * 30, "(12.50)", "=1+1", "12.5.5", "—"])
words = st.text(alphabet=st.sampled_from(list('ab ,;|~"\t\\=+@-\x1b\x00é\u2028\r')),
                max_size=12)
cells = st.one_of(codes, amounts, words)
delimiters = st.sampled_from([",", ";", "\t", "|", "~"])
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "utf-16-le"])


good_codes = st.sampled_from(["D0120", "D0140", "D0150", "D1110", "D2140", "D2391", "D2740"])
good_amounts = st.sampled_from(["50", "61.25", "$1,105.00", "75.00", "BR"])
# Mostly rows a schedule has, some broken: a reader that only ever refuses proves little.
rows_ = st.one_of(st.tuples(good_codes, st.just("Exam"), good_amounts).map(list),
                  st.tuples(good_codes, st.just("Exam"), good_amounts).map(list),
                  st.tuples(good_codes, st.just("Exam"), good_amounts).map(list),
                  st.lists(cells, min_size=1, max_size=5))


@st.composite
def text_files(draw: st.DrawFn) -> tuple[bytes, str]:
    delimiter = draw(delimiters)
    header = draw(st.sampled_from([["code", "description", "allowed"], ["Code", "Fee"],
                                   ["CDT", "Procedure", "Count"], []]))
    rows = draw(st.lists(rows_, max_size=25))
    body = [delimiter.join(header)] if header else []
    body += [delimiter.join(row) for row in rows]
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(body)
    encoding = draw(encodings)
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:   # cut anywhere: half a character, half a quote
        data = data[:draw(st.integers(0, max(len(data), 0)))]
    return data, delimiter


def _looks_like_rows(data: bytes, read_header: int | None) -> set[int]:
    """Line numbers (1-based) after the header whose first field is a CDT code."""
    from xlfees.readers.grids import decode
    text, _ = decode(data)
    numbers = set()
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"),
                                  start=1):
        if read_header and number <= read_header:
            continue
        first = line.split(",")[0].split(";")[0].split("\t")[0].split("|")[0].split("~")[0]
        if '"' not in line and normalize_code(first.strip()):
            numbers.add(number)
    return numbers


@BUDGET
@given(text_files(), st.sampled_from([None, "schedule", "office_fees", "volume"]))
def test_text_reader_accounts_for_every_line_or_refuses(sample, role) -> None:
    """read_schedule keeps or names every coded line, or raises one XlfeesError."""
    data, _ = sample
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data)
        try:
            read = read_schedule(path, role=role)
        except XlfeesError as error:
            assert "\n" not in str(error) and str(error).startswith(f"{path}: ")
            return
        accounted = {r["row"] for r in read.rows} | {n.row for n in read.rejected}
        missing = _looks_like_rows(data, read.header_row) - accounted
        assert not missing, (missing, read.to_dict())


toml_values = st.sampled_from([
    'name = "A\\u0001B"\n', "[settings]\nask = 0.1\n", "[settings]\nask = 7\n",
    '[settings]\nask = "peer"\n', "[limits]\nmax_file_mb = inf\n", "[limits]\nmax_pdf_pages = 0\n",
    'alt_map = "none"\n', "alt_map = 3\n", '[payer_shares]\n"Alpha Dental" = 1.7\n',
    "[coverage]\nRestorative = -1\n", '[files."schedules.csv"]\nrole = "volume"\n',
    '[files."nope.csv"]\nrole = "schedule"\n', "x = [[[[[[]]]]]]\n", "[[[broken\n",
    '[files."office_fees.csv"]\ncolumns = { office_fee = "Nope" }\n', "\xff\xfe",
])


def _analyze(toml: str | None, schedule: bytes | None) -> int:
    """analyze the hand-worked client with a fuzzed client.toml or an extra payer file:
    exit 0, or exactly one Error line that is not a bug report, never a traceback."""
    with tempfile.TemporaryDirectory() as folder:
        client = Path(folder) / "client"
        shutil.copytree(HANDWORKED, client)
        if toml is not None:
            (client / "client.toml").write_text(toml, encoding="utf-8", errors="replace")
        if schedule is not None:
            (client / "payers").mkdir()
            (client / "payers" / "fuzz ppo.csv").write_bytes(schedule)
        result = CliRunner().invoke(cli, ["analyze", str(client), "--json"])
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            lines = result.output.splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
            assert "bug in xlfees" not in lines[0], lines[0]
        return result.exit_code


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_files())
def test_analyze_over_a_fuzzed_payer_file(sample) -> None:
    """A fuzzed payer schedule beside good inputs: a result, or one Error line."""
    _analyze(None, sample[0])


@BUDGET
@given(toml_values)
def test_analyze_over_a_fuzzed_client_toml(toml) -> None:
    """A fuzzed client.toml: a result, or one Error line naming the setting."""
    _analyze(toml, None)
