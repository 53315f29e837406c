"""`xlfees send` against hostile addresses, manifests and logs, through a real SMTP server.

Each case is one a user meets by accident or an attacker by design (issue 25): the only
mail that may leave is to the addresses of owner_email/cc exactly as written, with files
from inside OUT_DIR, and one client's bad data never stops another's message. The server
is aiosmtpd on 127.0.0.1 recording every envelope; messages are parsed back with the
standard library.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import socket
from datetime import date
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from xlfees.batch.run import run_batch
from xlfees.cli import cli

FROM = "Pat Consultant <pat@consult.example>"
EVIL = "evil@example.com"


class Recorder:
    """Keeps every envelope and message the server accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 Message accepted"

    @property
    def everyone(self) -> set[str]:
        return {address for _, recipients, _ in self.messages for address in recipients}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server(smtputf8: bool):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port(),
                            enable_SMTPUTF8=smtputf8)
    controller.start()
    return controller, recorder


@pytest.fixture
def plain_server():
    """A local relay without SMTPUTF8 (`--security none`), as many office relays are."""
    controller, recorder = _server(smtputf8=False)
    yield controller, recorder
    controller.stop()


@pytest.fixture
def utf8_server():
    """A relay that offers SMTPUTF8 (RFC 6531)."""
    controller, recorder = _server(smtputf8=True)
    yield controller, recorder
    controller.stop()


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One batch of two clients with owners (first, second), run once for the module."""
    handworked = Path(__file__).parent / "data" / "clients" / "handworked"
    root = tmp_path_factory.mktemp("send")
    clients = root / "clients"
    for folder, owner in (("first", "first@one.example"), ("second", "second@two.example")):
        shutil.copytree(handworked, clients / folder)
        (clients / folder / "client.toml").write_text(
            f'name = "{folder.title()} Dental"\nowner_email = "{owner}"\n', encoding="utf-8")
    out = root / "out"
    assert not run_batch(clients, out, jobs=1, letters=False,
                         letter_date=date(2026, 11, 23)).failed
    return out


@pytest.fixture
def out_dir(batch_out: Path, tmp_path: Path) -> Path:
    """A private copy of the batch's output, free to tamper with."""
    copy = tmp_path / "out"
    shutil.copytree(batch_out, copy)
    return copy


def _tamper(out: Path, number: int, **changes) -> None:
    manifest = out / "xlfees-batch.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["clients"][number].update(changes)
    manifest.write_text(json.dumps(data), encoding="utf-8")


def _send(out: Path, controller: Controller):
    return CliRunner().invoke(cli, ["send", str(out), "--from", FROM, "--smtp-host",
                                    "127.0.0.1", "--smtp-port", str(controller.port),
                                    "--security", "none"])


@pytest.mark.parametrize("owner", [
    "Owner <owner@x.example>, <evil@example.com>",
    "Owner\r\nBcc: evil@example.com <owner@x.example>",
    "Owner\nBcc: evil@example.com <owner@x.example>",
    '"Owner\r\nBcc: evil@example.com" <owner@x.example>',
    "owner@x.example\r\nBcc: evil@example.com",
    "Friends: owner@x.example, evil@example.com;",
    "owner@x.example)<evil@example.com>",
    '"evil@example.com" <owner@x.example>',
    "owner@x.example (evil@example.com)",
    "owner@x.example\u202e",
])
def test_a_crafted_owner_email_sends_nothing_to_anyone_else(out_dir: Path, plain_server,
                                                             owner: str) -> None:
    """A manifest edited to carry a crafted address: that client is refused with the key
    named; the other client is still sent; nobody else receives anything."""
    controller, recorder = plain_server
    _tamper(out_dir, 0, owner_email=[owner])
    result = _send(out_dir, controller)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("failed   First Dental: not sent: owner_email holds "), lines[0]
    assert lines[1] == "sent     Second Dental → second@two.example"
    assert recorder.everyone == {"second@two.example"}
    assert EVIL not in result.output.partition("\n")[2]


@pytest.mark.parametrize("cc", ["Books <books@x.example>, evil@example.com",
                                "Books\r\nTo: evil@example.com <books@x.example>"])
def test_a_crafted_cc_is_refused_too(out_dir: Path, plain_server, cc: str) -> None:
    """cc is checked as owner_email is, and named as cc."""
    controller, recorder = plain_server
    _tamper(out_dir, 1, cc=[cc])
    result = _send(out_dir, controller)
    assert result.exit_code == 1
    assert result.output.splitlines()[1].startswith("failed   Second Dental: not sent: cc holds ")
    assert recorder.everyone == {"first@one.example"}


@pytest.mark.parametrize("owner", ["Owner <owner@x.example>, <evil@example.com>",
                                   "Owner\r\nBcc: evil@example.com <owner@x.example>"])
def test_a_crafted_owner_email_in_client_toml_is_an_error(
        tmp_path: Path, owner: str) -> None:
    """In client.toml the same values stop that client at once, the key and fix named."""
    handworked = Path(__file__).parent / "data" / "clients" / "handworked"
    folder = tmp_path / "client"
    shutil.copytree(handworked, folder)
    (folder / "client.toml").write_text(f"owner_email = {json.dumps(owner)}\n",
                                        encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(folder), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {folder / 'client.toml'}: setting 'owner_email' "
                                    "holds ")
    assert len(result.output.splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_names_are_encoded_and_cannot_add_a_header(out_dir: Path, plain_server) -> None:
    """A display name with a comma and a quote, and a practice name with CR/LF: the
    message carries them as text of their own header only."""
    controller, recorder = plain_server
    _tamper(out_dir, 0, client="First\r\nBcc: evil@example.com\r\nDental",
            owner_email=['"Molar, Ada \\"Doc\\"" <ada@one.example>'])
    result = _send(out_dir, controller)
    assert result.exit_code == 0, result.output
    assert recorder.everyone == {"ada@one.example", "second@two.example"}
    first = email.message_from_bytes(recorder.messages[0][2], policy=policy.default)
    assert first["Subject"] == "First Bcc: evil@example.com Dental: PPO fee schedule review"
    assert first["Bcc"] is None
    assert [(a.display_name, a.addr_spec) for a in first["To"].addresses] == [
        ('Molar, Ada "Doc"', "ada@one.example")]


@pytest.mark.parametrize("listed", ["../secret.txt", "/ABSOLUTE/secret.txt",
                                    "first/../../secret.txt", "link.txt", "fifo.pdf",
                                    "first\\..\\..\\secret.txt", ""])
def test_files_from_outside_out_dir_are_never_attached(out_dir: Path, plain_server,
                                                       listed: str) -> None:
    """A manifest listing a file outside OUT_DIR (a ../ path, an absolute path, a link
    out, a pipe): that client fails naming it, nothing of it is sent, the other is sent."""
    controller, recorder = plain_server
    secret = out_dir.parent / "secret.txt"
    secret.write_text("the consultant's private key\n")
    (out_dir / "link.txt").symlink_to(secret)
    os.mkfifo(out_dir / "fifo.pdf")
    _tamper(out_dir, 0, files=[listed.replace("/ABSOLUTE", str(out_dir.parent))])
    result = _send(out_dir, controller)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("failed   First Dental: ")
    assert recorder.everyone == {"second@two.example"}
    assert all(b"private key" not in raw for _, _, raw in recorder.messages)


def test_a_non_ascii_mailbox_without_smtputf8_fails_that_client_only(
        out_dir: Path, plain_server) -> None:
    """ü@bücher.example through a server without SMTPUTF8: named, and the next client is
    still sent over the same connection."""
    controller, recorder = plain_server
    _tamper(out_dir, 0, owner_email=["ü@bücher.example"])
    result = _send(out_dir, controller)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "failed   First Dental: an address has letters outside ASCII before its @, and the "
        "mail server does not take such addresses (no SMTPUTF8): ask the owner for another "
        "address",
        "sent     Second Dental → second@two.example"]
    assert recorder.everyone == {"second@two.example"}


def test_a_non_ascii_mailbox_goes_by_smtputf8(out_dir: Path, utf8_server) -> None:
    """Through a server that offers SMTPUTF8 it is delivered, the domain in IDNA form."""
    controller, recorder = utf8_server
    _tamper(out_dir, 0, owner_email=["Zoë <ü@bücher.example>"])
    result = _send(out_dir, controller)
    assert result.exit_code == 0, result.output
    assert recorder.everyone == {"ü@xn--bcher-kva.example", "second@two.example"}
    first = email.message_from_bytes(recorder.messages[0][2], policy=policy.default)
    assert str(first["To"]) == "Zoë <ü@bücher.example>"


DAMAGED_MANIFESTS = {
    "clients is a number": {"version": 1, "clients": 3},
    "client is a string": {"version": 1, "clients": ["first"]},
    "client is null": {"version": 1, "clients": [None]},
    "no client key": {"version": 1, "clients": [{"ok": True}]},
    "client is a list": {"version": 1, "clients": [{"client": ["x"], "ok": True}]},
    "workbook is null": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                    "workbook": None,
                                                    "owner_email": ["a@x.example"]}]},
    "files is a string": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                     "workbook": "first.xlsx",
                                                     "files": "x.pdf",
                                                     "owner_email": ["a@x.example"]}]},
    "files hold a number": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                       "workbook": "first.xlsx",
                                                       "files": [3],
                                                       "owner_email": ["a@x.example"]}]},
    "owner_email is a number": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                           "workbook": "first.xlsx",
                                                           "owner_email": 7}]},
    "amount is text": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                  "workbook": "first.xlsx",
                                                  "owner_email": ["a@x.example"],
                                                  "annual_writeoff": "lots"}]},
    "amount is infinite": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                      "workbook": "first.xlsx",
                                                      "owner_email": ["a@x.example"],
                                                      "impact_at_ask": 1e999}]},
    "targets malformed": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                     "workbook": "first.xlsx",
                                                     "owner_email": ["a@x.example"],
                                                     "top_targets": [["x"]]}]},
    "target value text": {"version": 1, "clients": [{"client": "A", "ok": True,
                                                     "workbook": "first.xlsx",
                                                     "owner_email": ["a@x.example"],
                                                     "top_targets": [["x", "y"]]}]},
    "not json": "{clients: [",
    "a list": [1, 2],
}


@pytest.mark.parametrize("case", sorted(DAMAGED_MANIFESTS))
def test_a_damaged_manifest_is_reported_not_a_crash(out_dir: Path, case: str) -> None:
    """Hand-edited or damaged manifests: one Error line, or that client failed with the
    reason; never an internal error."""
    content = DAMAGED_MANIFESTS[case]
    (out_dir / "xlfees-batch.json").write_text(
        content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    result = CliRunner().invoke(cli, ["send", str(out_dir), "--from", FROM])
    assert result.exit_code == 1, result.output
    assert "bug" not in result.output and "Traceback" not in result.output
    first = result.output.splitlines()[0]
    assert first.startswith(("Error: ", "failed   ")), first
    assert not (out_dir / "outbox").exists()


@pytest.mark.parametrize("log", ['{"sent": []}', '{"sent": {"first.xlsx": 3}}',
                                 '{"sent": {"first.xlsx": {"attachments": []}}}', "[]",
                                 '{"sent": {"first.xlsx": {"attachments": {}, '
                                 '"recipients": 5}}}', "\x00\x01"])
def test_a_damaged_send_log_is_one_error_line(out_dir: Path, plain_server, log: str) -> None:
    """A damaged xlfees-sent.json: one Error line saying to move it aside; nothing sent."""
    controller, recorder = plain_server
    (out_dir / "xlfees-sent.json").write_text(log, encoding="utf-8")
    result = _send(out_dir, controller)
    assert result.exit_code == 1
    assert result.output == (f"Error: {out_dir / 'xlfees-sent.json'}: the send log is "
                             "damaged; move it aside to send again (everything will be "
                             "sent once more)\n")
    assert recorder.messages == []


def test_a_fifo_as_the_manifest_does_not_hang(out_dir: Path) -> None:
    """A named pipe in place of xlfees-batch.json is refused at once, not waited on."""
    (out_dir / "xlfees-batch.json").unlink()
    os.mkfifo(out_dir / "xlfees-batch.json")
    result = CliRunner().invoke(cli, ["send", str(out_dir), "--from", FROM])
    assert result.exit_code == 1
    assert result.output == (f"Error: {out_dir / 'xlfees-batch.json'}: a named pipe, not a "
                             "file; xlfees reads only regular files: save it as a file and "
                             "point to that\n")


def test_a_folder_name_that_is_not_utf8_can_still_be_sent(tmp_path: Path) -> None:
    """A client folder named caf\\xe9 (not UTF-8): the manifest is written and the
    message is built from it."""
    handworked = Path(__file__).parent / "data" / "clients" / "handworked"
    clients = tmp_path / "clients"
    folder = Path(os.fsdecode(bytes(clients) + b"/caf\xe9"))
    shutil.copytree(handworked, folder)
    (folder / "client.toml").write_text('owner_email = "owner@cafe.example"\n')
    batch = CliRunner().invoke(cli, ["batch", str(clients), "-o", str(tmp_path / "out"),
                                     "--jobs", "1"])
    assert batch.exit_code == 0, batch.output
    result = CliRunner().invoke(cli, ["send", str(tmp_path / "out"), "--from", FROM])
    assert result.exit_code == 0, result.output
    [eml] = (tmp_path / "out" / "outbox").iterdir()
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "owner@cafe.example"


def test_a_client_whose_workbook_failed_is_skipped_not_failed(out_dir: Path,
                                                             plain_server) -> None:
    """A manifest entry of a client that failed in the batch (no figures, no files): skipped
    with the batch's reason; the other client is sent."""
    controller, recorder = plain_server
    _tamper(out_dir, 0, ok=False, error="office_fees.csv: no table of CDT codes found",
            workbook=None, files=[], annual_writeoff=None, impact_at_ask=None,
            patient_savings=None, top_targets=None)
    result = _send(out_dir, controller)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "skipped  First Dental: its workbook failed in the batch: office_fees.csv: no table "
        "of CDT codes found",
        "sent     Second Dental → second@two.example"]
    assert recorder.everyone == {"second@two.example"}
