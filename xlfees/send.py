"""Sending each client's finished workbook (and letters) to its owner.

``send_batch`` reads the manifest ``xlfees batch`` leaves in its output folder
(xlfees-batch.json: each client's files, its owner's addresses, its headline
figures), builds one message per client and either writes it as an ``.eml`` file
(the default: open it in any mail client) or sends it over SMTP (STARTTLS or
implicit TLS, with a login). A send log (xlfees-sent.json) in the output folder
records who was sent which files, so a second run sends nothing twice; a refused
recipient is reported and the others still get theirs.
"""

from __future__ import annotations

import email.policy
import hashlib
import html
import io
import json
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Callable

from .batch import MANIFEST_NAME
from .deliverables.content import safe_filename
from .errors import XlfeesError
from .settings import email_addresses
from .wording import plural
from .workbook.xlsx import write_atomically

# CRLF line ends, as SMTP and .eml files have them (smtplib sends bytes as they are).
SMTP_POLICY = email.policy.SMTP
SENT_LOG = "xlfees-sent.json"
OUTBOX = "outbox"
# Most mail servers refuse a message over 25 MB; base64 makes attachments a third bigger.
MAX_ATTACHMENT_BYTES = 18 * 1024 * 1024
SECURITY = ("starttls", "tls", "none")
MIME_TYPES = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".pdf": ("application", "pdf"),
}


class SendError(XlfeesError):
    """Nothing can be sent: no batch output, no sender, no connection to the server."""


@dataclass(frozen=True)
class Smtp:
    """How to reach the mail server. ``security``: starttls (port 587), tls (implicit,
    port 465) or none (a relay on the local network)."""

    host: str
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password: str | None = None
    cafile: str | None = None       # trust this CA too (a company's own certificate)
    timeout: float = 60.0

    def connect(self) -> smtplib.SMTP:
        """A logged-in connection (closed again if any step fails)."""
        context = ssl.create_default_context(cafile=self.cafile)
        server: smtplib.SMTP | None = None
        try:
            if self.security == "tls":
                server = smtplib.SMTP_SSL(self.host, self.port or 465, timeout=self.timeout,
                                          context=context)
            else:
                server = smtplib.SMTP(self.host, self.port or (587 if self.security == "starttls"
                                                                else 25), timeout=self.timeout)
                if self.security == "starttls":
                    server.starttls(context=context)
            if self.user:
                server.login(self.user, self.password or "")
            return server
        except BaseException:
            if server is not None:
                server.close()
            raise

    def open(self) -> smtplib.SMTP:
        """A logged-in connection, or a SendError saying what to check."""
        try:
            return self.connect()
        except smtplib.SMTPAuthenticationError as error:
            raise SendError(f"{self.host}: the server refused the login for {self.user} "
                            f"({_reason(error)}): check the user and the password") from None
        except (OSError, smtplib.SMTPException) as error:
            raise SendError(f"cannot reach the mail server {self.host}:{self.port or ''} "
                            f"({_reason(error)}): check --smtp-host, --smtp-port and "
                            "--security") from None


@dataclass
class Outcome:
    """What became of one client's message."""

    client: str
    status: str                   # sent, written, already sent, skipped, failed
    detail: str = ""
    recipients: list[str] = field(default_factory=list)
    path: Path | None = None      # the .eml, when written


@dataclass
class SendReport:
    outcomes: list[Outcome] = field(default_factory=list)
    log: Path | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        return f"{error.smtp_code} {' '.join(text.split())}"
    return " ".join(str(error).split()) or type(error).__name__


def read_manifest(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / MANIFEST_NAME
    if not path.exists():
        raise SendError(f"{out_dir}: no {MANIFEST_NAME}, so no batch output to send: run "
                        f"`xlfees batch CLIENTS_DIR -o {out_dir}` first")
    try:
        clients = json.loads(path.read_text(encoding="utf-8"))["clients"]
    except (ValueError, KeyError, TypeError):
        raise SendError(f"{path}: not a manifest xlfees wrote: run `xlfees batch` "
                        "again") from None
    return clients


def _money(value: float) -> str:
    return f"${value:,.2f}"


def message_for(entry: dict[str, Any], sender: str, attachments: dict[str, bytes],
                encrypted: bool) -> EmailMessage:
    """One client's message: plain text and HTML with the headline figures, the files."""
    client = entry["client"]
    rows = [("Written off a year (office fee − allowed)", _money(entry["annual_writeoff"])),
            ("Value of the ask a year", _money(entry["impact_at_ask"])),
            ("Patients save a year with the alternate-benefit ask",
             _money(entry["patient_savings"]))]
    targets = [(label, _money(value)) for label, value in entry["top_targets"]]
    files = list(attachments)
    lock = (" The workbook is password-protected; the password comes separately."
            if encrypted else "")
    text = ["Hello,", "", f"Attached is the PPO fee schedule review for {client}.{lock}", ""]
    text += [f"- {label}: {value}" for label, value in rows]
    if targets:
        text += ["", "Largest targets (volume × shortfall against the other payers):"]
        text += [f"{n}. {label}: {value} a year" for n, (label, value) in enumerate(targets, 1)]
    text += ["", "Attached: " + ", ".join(files) + ".",
             "The workbook opens in Excel 2010 or later; every figure is a formula you can "
             "follow.", ""]
    e = html.escape
    body = [f"<p>Hello,</p><p>Attached is the PPO fee schedule review for "
            f"<b>{e(client)}</b>.{e(lock)}</p>", "<table>"]
    body += [f'<tr><td>{e(label)}</td><td style="text-align:right">{e(value)}</td></tr>'
             for label, value in rows]
    body.append("</table>")
    if targets:
        body.append("<p>Largest targets (volume × shortfall against the other payers):</p><ol>")
        body += [f"<li>{e(label)}: {e(value)} a year</li>" for label, value in targets]
        body.append("</ol>")
    body.append(f"<p>Attached: {e(', '.join(files))}.</p>")
    message = EmailMessage()
    message["Subject"] = f"{client}: PPO fee schedule review"
    message["From"] = sender
    message["To"] = ", ".join(entry["owner_email"])
    if entry.get("cc"):
        message["Cc"] = ", ".join(entry["cc"])
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].partition("@")[2] or None)
    message.set_content("\n".join(text))
    message.add_alternative("<html><body>" + "".join(body) + "</body></html>", subtype="html")
    for name, data in attachments.items():
        maintype, subtype = MIME_TYPES.get(Path(name).suffix.lower(),
                                           ("application", "octet-stream"))
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def encrypt_workbook(data: bytes, password: str) -> bytes:
    """The workbook password-protected as Excel does it (ECMA-376 agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def _envelope(addresses: list[str]) -> list[str]:
    return [address for _, address in getaddresses(addresses)]


def _read_log(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"version": 1, "sent": {}}
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
        log["sent"]
    except (ValueError, KeyError, TypeError):
        raise SendError(f"{path}: the send log is damaged; move it aside to send again "
                        "(everything will be sent once more)") from None
    return log


def send_batch(out_dir: str | Path, sender: str, smtp: Smtp | None = None, *,
               resend: bool = False, encrypt_password: str | None = None,
               on_outcome: Callable[[Outcome], None] | None = None) -> SendReport:
    """Each client's workbook and letters to its owner: ``.eml`` files in OUT_DIR/outbox
    without ``smtp``, else sent, each recipient once (``resend`` sends again)."""
    out_dir = Path(out_dir)
    sender = email_addresses(sender, "--from")[0] if sender else ""
    if not sender:
        raise SendError("no sender: give --from you@example.com (or set XLFEES_FROM)")
    clients = read_manifest(out_dir)
    log_path = out_dir / SENT_LOG
    log = _read_log(log_path)
    report = SendReport(log=log_path if smtp else None)
    server: smtplib.SMTP | None = None

    def done(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    try:
        for entry in clients:
            client = entry["client"]
            if not entry.get("ok"):
                done(Outcome(client, "skipped", "its workbook failed in the batch: "
                                                f"{entry.get('error')}"))
                continue
            recipients = list(entry.get("owner_email") or [])
            if not recipients:
                done(Outcome(client, "skipped", "no owner_email in its client.toml"))
                continue
            key = entry["workbook"]
            names = [key, *entry.get("files", [])]
            try:
                # The workbook under the practice's name, not its folder's.
                plain = {(safe_filename(client) + " - fee schedule review.xlsx" if n == key
                          else Path(n).name): (out_dir / n).read_bytes() for n in names}
            except OSError as error:
                done(Outcome(client, "failed", f"cannot read {error.filename}: run the "
                                               "batch again"))
                continue
            if sum(map(len, plain.values())) > MAX_ATTACHMENT_BYTES:
                done(Outcome(client, "failed", f"its files come to more than "
                                               f"{MAX_ATTACHMENT_BYTES // 2**20} MB, more than "
                                               "mail servers accept: send them another way"))
                continue
            digests = {n: hashlib.sha256(d).hexdigest() for n, d in plain.items()}
            attachments = {n: encrypt_workbook(d, encrypt_password)
                           if encrypt_password and n.endswith(".xlsx") else d
                           for n, d in plain.items()}
            everyone = recipients + list(entry.get("cc") or [])
            earlier = log["sent"].get(key, {})
            already = (set(earlier.get("recipients", {}))
                       if earlier.get("attachments") == digests and not resend else set())
            pending = [a for a in everyone if _envelope([a])[0] not in already]
            if smtp is not None and not pending:
                done(Outcome(client, "already sent", "the same files, to "
                             + ", ".join(sorted(already)) + " (--resend sends them again)"))
                continue
            message = message_for(entry, sender, attachments, encrypted=bool(encrypt_password))
            if smtp is None:
                outbox = out_dir / OUTBOX
                outbox.mkdir(exist_ok=True)
                path = outbox / (Path(key).stem + ".eml")
                write_atomically(path, message.as_bytes(policy=SMTP_POLICY))
                done(Outcome(client, "written", "", everyone, path))
                continue
            if server is None:
                server = smtp.open()
            envelope = _envelope(pending)
            try:
                refused = server.sendmail(_envelope([sender])[0], envelope,
                                          message.as_bytes(policy=SMTP_POLICY))
            except smtplib.SMTPRecipientsRefused as error:
                refused = error.recipients
            except (OSError, smtplib.SMTPException) as error:
                done(Outcome(client, "failed", _reason(error), envelope))
                server = _drop(server)
                continue
            accepted = [a for a in envelope if a not in refused]
            if accepted:
                if earlier.get("attachments") != digests or resend:
                    earlier = {"attachments": digests, "recipients": {}}
                stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
                for address in accepted:
                    earlier["recipients"][address] = {"message_id": message["Message-ID"],
                                                      "at": stamp}
                log["sent"][key] = earlier
                write_atomically(log_path, (json.dumps(log, indent=1, ensure_ascii=False)
                                            + "\n").encode("utf-8"))
            if refused:
                why = "; ".join(f"{address}: {_reason(smtplib.SMTPResponseException(*r))}"
                                for address, r in refused.items())
                done(Outcome(client, "failed", f"refused {why}"
                             + (f" (sent to {', '.join(accepted)})" if accepted else ""),
                             accepted))
            else:
                done(Outcome(client, "sent", "", accepted))
    finally:
        _drop(server)
    return report


def _drop(server: smtplib.SMTP | None) -> None:
    if server is not None:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return None


def render_outcome(outcome: Outcome) -> str:
    """One line for the terminal."""
    if outcome.status == "written":
        return f"written  {outcome.client} → {outcome.path} (to {', '.join(outcome.recipients)})"
    if outcome.status == "sent":
        return f"sent     {outcome.client} → {', '.join(outcome.recipients)}"
    return f"{outcome.status:<8} {outcome.client}: {outcome.detail}"


def render_report(report: SendReport) -> str:
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    parts = [f"{count} {status}" for status, count in counts.items()]
    line = f"{plural(len(report.outcomes), 'client')}: " + ", ".join(parts or ["nothing to do"])
    return line + (f". Send log: {report.log}" if report.log else "")
