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
from email.utils import formatdate, make_msgid
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Callable

from ..money import money
from .manifest import (MANIFEST_NAME, MAX_MANIFEST_BYTES, Delivery, ManifestError, Refused,
                       client_name, delivery, read_manifest)
from ..written import safe_filename
from ..errors import SettingsError, XlfeesError
from ..files import NotAFileError, TooLargeError, folder_lock, read_limited
from ..mailboxes import Mailbox, parse_mailbox
from ..wording import one_line, plural
from ..written import write_atomically

# CRLF line ends, as SMTP and .eml files have them (smtplib sends bytes as they are).
SMTP_POLICY = email.policy.SMTP
# A recipient whose mailbox name is not ASCII (RFC 6531): headers in UTF-8.
SMTPUTF8_POLICY = email.policy.SMTPUTF8
SENT_LOG = "xlfees-sent.json"
OUTBOX = "outbox"
# Most mail servers refuse a message over 25 MB; base64 makes attachments a third bigger.
MAX_ATTACHMENT_BYTES = 18 * 1024 * 1024
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


def attachment(out_dir: Path, name: str) -> bytes:
    """A file the batch wrote, by its name relative to OUT_DIR; never one outside it."""
    relative = PurePosixPath(name)
    if (not name or relative.is_absolute() or PureWindowsPath(name).drive
            or ".." in relative.parts or "\\" in name):
        raise Refused(f"{MANIFEST_NAME} lists {name!r}, which is not a file inside "
                       f"{out_dir}; nothing from outside the batch's folder is attached: "
                       "run the batch again")
    path = out_dir / relative
    try:
        return read_limited(path, MAX_ATTACHMENT_BYTES, shown=one_line(str(relative)),
                            root=out_dir)
    except NotAFileError as error:
        raise Refused(f"not attached: {error}") from None
    except TooLargeError:
        raise Refused(f"{one_line(name)} is more than {MAX_ATTACHMENT_BYTES // 2**20} MB, "
                       "more than mail servers accept: send it another way") from None
    except OSError as error:
        raise Refused(f"cannot read {one_line(name)} ({one_line(error.strerror or '')}): "
                       "run the batch again") from None


def message_for(entry: Delivery, sender: Mailbox, attachments: dict[str, bytes],
                encrypted: bool) -> EmailMessage:
    """One client's message: plain text and HTML with the headline figures, the files.

    Every header is built from checked parts: addresses as Address objects, the
    practice's name as one line, so no value can add a header or a recipient."""
    client = entry.client
    rows = [("Written off a year (office fee − allowed)", money(entry.annual_writeoff)),
            ("Value of the ask a year", money(entry.impact_at_ask)),
            ("Patients save a year with the alternate-benefit ask",
             money(entry.patient_savings))]
    targets = [(label, money(value)) for label, value in entry.top_targets]
    asks = [(label, money(value)) for label, value in entry.payer_asks]
    files = list(attachments)
    lock = (" The workbook is password-protected; the password comes separately."
            if encrypted else "")
    text = ["Hello,", "", f"Attached is the PPO fee schedule review for {client}.{lock}", ""]
    text += [f"- {label}: {value}" for label, value in rows]
    if asks:
        text += ["", "The value of the ask a year, by payer (what its letter asks):"]
        text += [f"- {label}: {value}" for label, value in asks]
    recovery = [(label, f"{money(open_)} open, {money(appealed)} appealed, "
                        f"{money(recovered)} recovered, {money(written_off)} written off"
                        + (f"; {due} appeal deadline{'s' if due != 1 else ''} in the next "
                           "30 days" if due else ""))
                for label, open_, appealed, recovered, written_off, due in entry.worklist]
    if recovery:
        text += ["", "Recovery worklist, by payer:"]
        text += [f"- {label}: {value}" for label, value in recovery]
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
    if asks:
        body.append("<p>The value of the ask a year, by payer (what its letter asks):</p><ul>")
        body += [f"<li>{e(label)}: {e(value)}</li>" for label, value in asks]
        body.append("</ul>")
    if recovery:
        body.append("<p>Recovery worklist, by payer:</p><ul>")
        body += [f"<li>{e(label)}: {e(value)}</li>" for label, value in recovery]
        body.append("</ul>")
    if targets:
        body.append("<p>Largest targets (volume × shortfall against the other payers):</p><ol>")
        body += [f"<li>{e(label)}: {e(value)} a year</li>" for label, value in targets]
        body.append("</ol>")
    body.append(f"<p>Attached: {e(', '.join(files))}.</p>")
    message = EmailMessage()
    message["Subject"] = f"{client}: PPO fee schedule review"
    message["From"] = sender.header()
    message["To"] = tuple(m.header() for m in entry.owners)
    if entry.cc:
        message["Cc"] = tuple(m.header() for m in entry.cc)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.ascii_address.rpartition("@")[2])
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


def _read_log(path: Path) -> dict[str, Any]:
    """The send log, its every entry checked: a damaged one is refused whole."""
    if not path.exists():
        return {"version": 1, "sent": {}}
    damaged = (f"{path}: the send log is damaged; move it aside to send again "
               "(everything will be sent once more)")
    try:
        log = json.loads(read_limited(path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except (ValueError, XlfeesError):
        raise SendError(damaged) from None
    sent = log.get("sent") if isinstance(log, dict) else None
    if not isinstance(sent, dict) or not all(
            isinstance(record, dict) and isinstance(record.get("attachments"), dict)
            and isinstance(record.get("recipients"), dict) for record in sent.values()):
        raise SendError(damaged)
    return log


def send_batch(out_dir: str | Path, sender: str, smtp: Smtp | None = None, *,
               resend: bool = False, encrypt_password: str | None = None,
               on_outcome: Callable[[Outcome], None] | None = None) -> SendReport:
    """Each client's workbook and letters to its owner: ``.eml`` files in OUT_DIR/outbox
    without ``smtp``, else sent, each recipient once (``resend`` sends again).

    The manifest and the log are read as hostile input: a client whose entry is
    damaged, whose address is not exactly one address, or whose files lie outside
    OUT_DIR is reported and not sent; the other clients still are."""
    out_dir = Path(out_dir)
    if not sender:
        raise SendError("no sender: give --from you@example.com (or set XLFEES_FROM)")
    try:
        from_box = parse_mailbox(sender, "--from")
    except SettingsError as error:
        raise SendError(f"--from {error.problem}; {error.fix}") from None
    try:
        clients = read_manifest(out_dir)
    except ManifestError as error:   # no batch output there: the send's own error
        raise SendError(str(error)) from None
    with folder_lock(out_dir, "a send"):
        log_path = out_dir / SENT_LOG
        log = _read_log(log_path)
        report = SendReport(log=log_path if smtp else None)
        server: smtplib.SMTP | None = None

        def done(outcome: Outcome) -> None:
            report.outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
        try:
            for number, raw in enumerate(clients, start=1):
                try:
                    entry = delivery(raw, number)
                except Refused as problem:
                    done(Outcome(client_name(raw, number), "failed", str(problem)))
                    continue
                client = entry.client
                if not entry.ok:
                    done(Outcome(client, "skipped", "its workbook failed in the batch: "
                                                    f"{entry.error}"))
                    continue
                if not entry.owners:
                    done(Outcome(client, "skipped", "no owner_email in its client.toml"))
                    continue
                key = entry.workbook
                try:
                    # The workbook under the practice's name, not its folder's.
                    plain = {(safe_filename(client) + " - fee schedule review.xlsx" if n == key
                              else safe_filename(PurePosixPath(n).name)): attachment(out_dir, n)
                             for n in (key, *entry.files)}
                except Refused as problem:
                    done(Outcome(client, "failed", str(problem)))
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
                utf8 = entry.needs_smtputf8 or from_box.needs_smtputf8
                policy = SMTPUTF8_POLICY if utf8 else SMTP_POLICY
                everyone = [m.ascii_address for m in entry.recipients]
                earlier = log["sent"].get(key, {})
                already = (set(earlier.get("recipients", {}))
                           if earlier.get("attachments") == digests and not resend else set())
                pending = list(dict.fromkeys(a for a in everyone if a not in already))
                if smtp is not None and not pending:
                    done(Outcome(client, "already sent", "the same files, to "
                                 + ", ".join(sorted(already)) + " (--resend sends them again)"))
                    continue
                message = message_for(entry, from_box, attachments,
                                      encrypted=bool(encrypt_password))
                if smtp is None:
                    outbox = out_dir / OUTBOX
                    outbox.mkdir(exist_ok=True)
                    path = outbox / (safe_filename(PurePosixPath(key).stem) + ".eml")
                    write_atomically(path, message.as_bytes(policy=policy))
                    done(Outcome(client, "written", "", [str(m) for m in entry.recipients], path))
                    continue
                if server is None:
                    server = smtp.open()
                if utf8:
                    server.ehlo_or_helo_if_needed()
                    if not server.has_extn("smtputf8"):
                        done(Outcome(client, "failed", "an address has letters outside ASCII "
                                     "before its @, and the mail server does not take such "
                                     "addresses (no SMTPUTF8): ask the owner for another address",
                                     pending))
                        continue
                try:
                    refused = server.sendmail(from_box.ascii_address, pending,
                                              message.as_bytes(policy=policy),
                                              mail_options=["SMTPUTF8"] if utf8 else [])
                except smtplib.SMTPRecipientsRefused as error:
                    refused = error.recipients
                except (OSError, smtplib.SMTPException) as error:
                    done(Outcome(client, "failed", _reason(error), pending))
                    _drop(server)
                    server = None
                    continue
                accepted = [a for a in pending if a not in refused]
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
