"""`xlfees send`: the batch's files to each owner, through a real SMTP server on 127.0.0.1.

The server is aiosmtpd (STARTTLS or implicit TLS with a certificate made here, a login),
recording what arrives; the messages are parsed back with the standard library's e-mail
parser, and the attachments compared byte for byte with the files the batch wrote.
"""

from __future__ import annotations

import datetime
import email
import io
import ipaddress
import json
import shutil
import socket
import ssl
from datetime import date
from email import policy
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from xlfees.batch.run import run_batch
from xlfees.cli import cli

FROM = "Pat Consultant <pat@consult.example>"
OWNERS = ["Dr. Ada Molar <ada@handworked.example>", "manager@handworked.example"]
CC = "books@handworked.example"
# As the headers write them: a name with a full stop goes in quotes (RFC 5322).
OWNERS_WRITTEN = ['"Dr. Ada Molar" <ada@handworked.example>', "manager@handworked.example"]


class Recorder:
    """An SMTP handler that keeps every message and refuses the addresses it is told to."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 Message accepted"


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"pat"
          and auth_data.password == b"s3cret")
    # handled=False: the server answers a refusal itself (535), as a real one does.
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it with --cafile)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def starttls_server(certificate):
    """SMTP with STARTTLS required and a login only over TLS."""
    recorder = Recorder(refuse=("nobody@handworked.example",))
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port(),
                            tls_context=_server_context(certificate), require_starttls=True,
                            authenticator=_login, auth_require_tls=True)
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.fixture
def tls_server(certificate):
    """SMTP over TLS from the first byte (port 465 style)."""
    recorder = Recorder()
    # aiosmtpd offers AUTH over implicit TLS only when told not to require STARTTLS for it.
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port(),
                            ssl_context=_server_context(certificate),
                            authenticator=_login, auth_require_tls=False)
    controller.start()
    yield controller, recorder
    controller.stop()


def _toml(name: str, owner: str | None) -> str:
    """A client.toml with the name and, when given, the owner's addresses."""
    lines = [f'name = "{name}"'] + ([f"owner_email = {owner}"] if owner else [])
    return "\n".join(lines) + "\n"


@pytest.fixture
def out_dir(handworked_dir: Path, tmp_path: Path) -> Path:
    """A batch run with letters: one client with two owners and a cc, one without an owner."""
    clients = tmp_path / "clients"
    shutil.copytree(handworked_dir, clients / "handworked")
    (clients / "handworked" / "client.toml").write_text(
        _toml("Hand-worked Dental", json.dumps(OWNERS)) + f'cc = "{CC}"\n', encoding="utf-8")
    shutil.copytree(handworked_dir, clients / "no-owner")
    (clients / "no-owner" / "client.toml").write_text(_toml("No Owner Dental", None))
    out = tmp_path / "out"
    batch = run_batch(clients, out, jobs=1, letters=True, letter_date=date(2026, 11, 23))
    assert not batch.failed
    return out


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def _workbook_bytes(out: Path) -> bytes:
    return (out / "handworked.xlsx").read_bytes()


def test_dry_run_writes_eml_files_a_mail_client_opens(out_dir: Path) -> None:
    """Without --smtp-host: one .eml per client with an owner; the other is skipped."""
    result = _run("send", out_dir, "--from", FROM)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"written  Hand-worked Dental → {out_dir / 'outbox' / 'handworked.eml'} (to "
        f"{', '.join(OWNERS_WRITTEN)}, {CC})",
        "skipped  No Owner Dental: no owner_email in its client.toml",
        "2 clients: 1 written, 1 skipped"]
    message = _parse((out_dir / "outbox" / "handworked.eml").read_bytes())
    assert message["From"] == FROM and message["Subject"] == ("Hand-worked Dental: PPO fee "
                                                              "schedule review")
    assert message["To"] == ", ".join(OWNERS_WRITTEN) and message["Cc"] == CC
    assert message["Message-ID"].endswith("@consult.example>") and message["Date"]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    page = message.get_body(("html",)).get_content()
    # The hand-worked totals (test_deliverables.py): write-off, the ask, alternate benefits,
    # and the three largest targets by priority (volume × shortfall).
    for figure in ("$18,500.00", "$2,390.00", "$600.00"):   # alternates asked: Alpha's
        assert figure in text and figure in page
    assert ("1. Alpha Dental (PPO) D2740: $1,000.00 a year\n"
            "2. Alpha Dental (PPO) D2391: $750.00 a year\n") in text
    assert "<li>Alpha Dental (PPO) D2740: $1,000.00 a year</li>" in page
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    assert parts["Hand-worked Dental - fee schedule review.xlsx"].get_content_type() == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert parts["Hand-worked Dental - fee schedule review.xlsx"].get_content() == \
        _workbook_bytes(out_dir)
    assert parts["Alpha Dental (PPO) - fee review request.docx"].get_content_type() == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert parts["Hand-worked Dental - fee schedule summary.pdf"].get_content_type() == \
        "application/pdf"
    assert len(parts) == 1 + 2 + 1          # workbook, two letters, the summary
    assert not (out_dir / "xlfees-sent.json").exists()   # nothing was sent


def test_starttls_login_delivers_each_message_once(out_dir: Path, starttls_server,
                                                   certificate) -> None:
    """STARTTLS and a login: the owners and the cc receive byte-identical files; a second
    run sends nothing."""
    controller, recorder = starttls_server
    args = ["send", out_dir, "--from", FROM, "--smtp-host", "127.0.0.1", "--smtp-port",
            controller.port, "--smtp-user", "pat", "--cafile", certificate[0]]
    env = {"XLFEES_SMTP_PASSWORD": "s3cret"}
    result = _run(*args, env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ("sent     Hand-worked Dental → ada@handworked"
                                             ".example, manager@handworked.example, "
                                             "books@handworked.example")
    [(sender, recipients, raw)] = recorder.messages
    assert sender == "pat@consult.example"
    assert recipients == ["ada@handworked.example", "manager@handworked.example", CC]
    files = {p.get_filename(): p.get_content() for p in _parse(raw).iter_attachments()}
    on_disk = {"Hand-worked Dental - fee schedule review.xlsx": _workbook_bytes(out_dir)}
    on_disk |= {p.name: p.read_bytes() for p in (out_dir / "handworked").iterdir()
                if p.suffix in (".docx", ".pdf")}
    assert files == on_disk
    log = json.loads((out_dir / "xlfees-sent.json").read_text())
    assert sorted(log["sent"]["handworked.xlsx"]["recipients"]) == sorted(recipients)
    again = _run(*args, env=env)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0].startswith("already sent Hand-worked Dental: the "
                                                   "same files, to ")
    assert len(recorder.messages) == 1
    forced = _run(*args, "--resend", env=env)
    assert forced.exit_code == 0 and len(recorder.messages) == 2


def test_a_refused_recipient_is_reported_and_the_others_still_get_theirs(
        out_dir: Path, starttls_server, certificate) -> None:
    """The server refuses one address: the rest are sent, the refusal named, exit 1."""
    manifest = out_dir / "xlfees-batch.json"
    data = json.loads(manifest.read_text())
    data["clients"][0]["owner_email"].append("nobody@handworked.example")
    manifest.write_text(json.dumps(data))
    controller, recorder = starttls_server
    args = ["send", out_dir, "--from", FROM, "--smtp-host", "127.0.0.1", "--smtp-port",
            controller.port, "--smtp-user", "pat", "--cafile", certificate[0]]
    result = _run(*args, env={"XLFEES_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "failed   Hand-worked Dental: refused nobody@handworked.example: 550 5.1.1 No such "
        "mailbox (sent to ada@handworked.example, manager@handworked.example, "
        "books@handworked.example)")
    assert recorder.messages[0][1] == ["ada@handworked.example", "manager@handworked.example",
                                       CC]
    # Run again: only the refused address is tried again, the others are not sent twice.
    _run(*args, env={"XLFEES_SMTP_PASSWORD": "s3cret"})
    assert len(recorder.messages) == 1


def test_implicit_tls(out_dir: Path, tls_server, certificate) -> None:
    """--security tls: TLS from the first byte, then the login."""
    controller, recorder = tls_server
    result = _run("send", out_dir, "--from", FROM, "--smtp-host", "127.0.0.1",
                  "--smtp-port", controller.port, "--security", "tls", "--smtp-user", "pat",
                  "--cafile", certificate[0], env={"XLFEES_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 0, result.output
    assert len(recorder.messages) == 1


def test_a_wrong_password_is_one_error_line(out_dir: Path, starttls_server,
                                            certificate) -> None:
    """The server refuses the login: Error: …, exit 1, nothing sent, nothing logged."""
    controller, recorder = starttls_server
    result = _run("send", out_dir, "--from", FROM, "--smtp-host", "127.0.0.1",
                  "--smtp-port", controller.port, "--smtp-user", "pat",
                  "--cafile", certificate[0], env={"XLFEES_SMTP_PASSWORD": "wrong"})
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(
        "Error: 127.0.0.1: the server refused the login for pat (535 ")
    assert recorder.messages == [] and not (out_dir / "xlfees-sent.json").exists()


def test_an_untrusted_certificate_is_refused(out_dir: Path, starttls_server) -> None:
    """Without --cafile the test's own certificate is not trusted: nothing is sent."""
    controller, recorder = starttls_server
    result = _run("send", out_dir, "--from", FROM, "--smtp-host", "127.0.0.1",
                  "--smtp-port", controller.port, "--smtp-user", "pat",
                  env={"XLFEES_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.output and recorder.messages == []


def test_the_password_is_never_an_option(out_dir: Path) -> None:
    """No --password: from an environment variable or a prompt, never the command line."""
    result = _run("send", out_dir, "--from", FROM, "--smtp-host", "127.0.0.1",
                  "--password", "s3cret")
    assert result.exit_code == 2 and "No such option '--password'" in result.output
    result = _run("send", out_dir, "--from", FROM, "--smtp-host", "127.0.0.1",
                  "--smtp-user", "pat", env={"XLFEES_SMTP_PASSWORD": None})
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: no SMTP password: set "
                                              "XLFEES_SMTP_PASSWORD (or run in a terminal "
                                              "to be asked for it)")


def test_no_sender_and_no_batch_are_errors(out_dir: Path, tmp_path: Path) -> None:
    """Without --from (or XLFEES_FROM), and on a folder no batch wrote: Error lines."""
    result = _run("send", out_dir, env={"XLFEES_FROM": None})
    assert (result.exit_code, result.output) == (
        1, "Error: no sender: give --from you@example.com (or set XLFEES_FROM)\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run("send", empty, "--from", FROM)
    assert (result.exit_code, result.output) == (
        1, f"Error: {empty}: no xlfees-batch.json, so no batch output to send: run `xlfees "
           f"batch CLIENTS_DIR -o {empty}` first\n")


def test_encrypted_workbooks_open_with_the_password_only(out_dir: Path) -> None:
    """--encrypt-password-env: msoffcrypto decrypts with the password, openpyxl reads the
    same cells; without it the attachment is no workbook."""
    result = _run("send", out_dir, "--from", FROM, "--encrypt-password-env", "WORKBOOK_PW",
                  env={"WORKBOOK_PW": "owner-only"})
    assert result.exit_code == 0, result.output
    message = _parse((out_dir / "outbox" / "handworked.eml").read_bytes())
    assert "password-protected" in message.get_body(("plain",)).get_content()
    attached = next(p.get_content() for p in message.iter_attachments()
                    if p.get_filename().endswith(".xlsx"))
    assert attached != _workbook_bytes(out_dir)
    office = msoffcrypto.OfficeFile(io.BytesIO(attached))
    assert office.is_encrypted()
    office.load_key(password="owner-only")
    plain = io.BytesIO()
    office.decrypt(plain)
    opened = openpyxl.load_workbook(plain, data_only=True)
    original = openpyxl.load_workbook(out_dir / "handworked.xlsx", data_only=True)
    for name in ("Summary", "Targets", "Payers"):
        assert [[c.value for c in row] for row in opened[name].iter_rows()] == \
            [[c.value for c in row] for row in original[name].iter_rows()]
    with pytest.raises(Exception):  # noqa: B017 - any refusal: it is not a zip to openpyxl
        openpyxl.load_workbook(io.BytesIO(attached))
    wrong = msoffcrypto.OfficeFile(io.BytesIO(attached))
    wrong.load_key(password="guess")
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        wrong.decrypt(io.BytesIO())


def test_owner_email_mistakes_are_errors(handworked_dir: Path, tmp_path: Path) -> None:
    """owner_email that is no address stops the client with the key named."""
    folder = tmp_path / "client"
    shutil.copytree(handworked_dir, folder)
    (folder / "client.toml").write_text('owner_email = ["ada@handworked.example", "ada"]\n')
    result = _run("analyze", folder, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1
    assert result.output == (f"Error: {folder / 'client.toml'}: setting 'owner_email' holds "
                             "'ada', not an e-mail address; write it as \"name@domain.com\"\n")


def test_batch_send_runs_the_send_step(handworked_dir: Path, tmp_path: Path) -> None:
    """`batch --letters --send` writes the workbooks, then the .eml files."""
    clients = tmp_path / "clients"
    shutil.copytree(handworked_dir, clients / "hw")
    (clients / "hw" / "client.toml").write_text('owner_email = "ada@handworked.example"\n')
    result = _run("batch", clients, "-o", tmp_path / "out", "--letters", "--send",
                  "--from", FROM, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "outbox" / "hw.eml").exists()
    assert result.output.splitlines()[-1] == "1 client: 1 written"


def test_the_manifest_reads_back_what_the_batch_wrote(tmp_path: Path) -> None:
    """One type both ways: each client's entry, written by the batch and read by send, is the
    Delivery the batch made of it (addresses, files, figures and top targets)."""
    from xlfees.batch.manifest import MANIFEST_NAME, Delivery, delivery

    out = tmp_path / "out"
    batch = run_batch(Path(__file__).parent.parent / "examples", out, jobs=1, letters=True,
                      letter_date=date(2026, 1, 15))
    entries = json.loads((out / MANIFEST_NAME).read_text())["clients"]
    assert len(entries) == len(batch.results) == 6

    def relative(file: str | None) -> str | None:
        return None if file is None else Path(file).resolve().relative_to(out.resolve()
                                                                          ).as_posix()
    for number, (entry, result) in enumerate(zip(entries, batch.results), start=1):
        written = Delivery.from_result(result, relative)
        assert delivery(entry, number) == written
        assert written.files and written.owners and written.annual_writeoff > 0
