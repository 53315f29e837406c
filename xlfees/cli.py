"""The ``xlfees`` command line: parse options, make one library call, render the result."""

from __future__ import annotations

import json
import math
import os
import signal
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._version import __version__
from .signals import interrupted, raise_interrupt
from .errors import describe_error
from .mailboxes import SECURITY
from .money import amount, percent
from .sources.client_toml import DEFAULT_TOP
from .readers.pins import FILE_ROLES as ROLES
from .wording import one_line, plural, readable_name

# pandas, the readers and the writers are imported by the commands that use them:
# `xlfees --help` and `--version` answer without them (about 0.05 s, not 0.6 s).
if TYPE_CHECKING:
    from .analysis import Analysis
    from .batch.results import BatchResult, ClientResult
    from .sources.folder import FolderEntry
    from .readers import FileRead


class _Group(click.Group):
    """Turns any error into one ``Error: …`` line and exit status 1 (a traceback with --debug).

    Library errors say what to fix; an OSError names the path and the likely fix; anything
    else is reported as a bug, still on one line.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort,
                BrokenPipeError):   # `| head -1`: click ends the run quietly (status 1)
            raise
        except Exception as error:  # noqa: BLE001 - the one place every error is rendered
            if ctx.meta.get("xlfees.debug"):
                raise
            _echo(f"Error: {describe_error(error)}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="xlfees")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Dental PPO fee schedules → gaps, alternate-benefit savings and revenue impact.

    \b
    Examples:
      xlfees analyze examples/smile-studio
      xlfees analyze examples/smile-studio --json > analysis.json
      xlfees inspect "payers/Delta Dental PPO 2026.xlsx"
      xlfees batch examples -o out

    Reference (in the xlfees repository): docs/json.md for --json,
    docs/client_toml.md for client.toml, docs/workbook.md for the formulas.
    """
    ctx.meta["xlfees.debug"] = debug


@cli.command("analyze")
@click.argument("client_dir", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the filled workbook here (.xlsx).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the whole analysis as JSON (every key: docs/json.md).")
@click.option("--template", type=click.Path(exists=True, dir_okay=False),
              help="Fill this template instead of the built-in one (see `xlfees template`).")
@click.option("--worklist", "start_worklist", is_flag=True,
              help="Start the recovery worklist (recovery.csv in CLIENT_DIR) if the folder "
                   "keeps none; one it keeps is always brought up to date.")
@click.option("--date", "run_date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The run's date for the worklist (YYYY-MM-DD) [default: today].")
def analyze_command(client_dir: str, output: str | None, as_json: bool,
                    template: str | None, start_worklist: bool, run_date: Any) -> None:
    """Analyse one client folder: a workbook with -o, JSON with --json, else a summary.

    CLIENT_DIR holds the office fees, the payer schedules (any shape, usually in
    payers/), optionally a volume report and client.toml (every key:
    docs/client_toml.md). The workbook has
    Summary, Settings, Office Fees, Schedules, Copays, Volume, Gaps, Targets, Alt
    Benefits, Payers, Asks and Import Notes (and, with remittances or dated
    schedules, Changes, Payments, Underpayments and Denials); every figure is
    a live formula that also stores its value.

    \b
    Examples:
      xlfees analyze examples/smile-studio -o smile-studio.xlsx
      xlfees analyze examples/smile-studio
      xlfees analyze examples/smile-studio --json | jq '.payers'
      xlfees analyze acme-dental -o acme.xlsx --template our_branded_template.xlsx
    """
    from .analysis import analyze
    from .client import load_client
    from .deliverables.worklist import with_worklist
    from .workbook import write_workbook
    analysis = with_worklist(analyze(load_client(client_dir)), Path(client_dir),
                             _day(run_date), start=start_worklist)
    if output:
        written = write_workbook(analysis, output, template=template)
        if not as_json:
            _echo(f"Wrote {written}", err=True)
    if as_json:
        click.echo(json.dumps(analysis.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    elif not output:
        _echo(render_summary(analysis))


@cli.command("template")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the blank template (.xlsx).")
def template_command(output: str) -> None:
    """Write the blank workbook template, to restyle or to fill in Excel.

    A restyled copy (your logo, colours, an extra sheet) can be passed back
    with `xlfees analyze … --template PATH`: filling keeps what you added.

    \b
    Examples:
      xlfees template -o xlfees_template.xlsx
    """
    from .workbook import copy_template
    _echo(f"Wrote {copy_template(output)}", err=True)


@cli.command("inspect")
@click.argument("file", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True,
              help="Print the reading as JSON (every key: docs/json.md).")
@click.option("--role", type=click.Choice(ROLES),
              help="Read the file as this role when its content and name cannot tell.")
@click.option("--sheet", help="Read this sheet of a workbook.")
@click.option("--payer", help="The payer's name, when the file and its name do not give it.")
@click.option("--dimension", help="Keep this value of a modifier, tier or region column.")
def inspect_command(file: str, as_json: bool, role: str | None, sheet: str | None,
                    payer: str | None, dimension: str | None) -> None:
    """Show how xlfees reads one file, or every file of a client folder.

    For a file: role, sheet, header row, which column became what and why,
    rows kept, every rejected row; for an X12 835 remittance, the payer, payee,
    checks, claims and lines read and whether the money reconciles. For a folder: one line
    per file (role,
    payer, rows kept and rejected, the columns or why it was not read), the
    first thing to run on a new client's folder. The options do what
    [files."…"] in client.toml does.

    \b
    Examples:
      xlfees inspect examples/riverbend-family-dental
      xlfees inspect payers/ameritas_ppo_2026.pdf
      xlfees inspect "payers/Delta Dental PPO 2026.xlsx" --json
      xlfees inspect fees.csv --role office_fees
      xlfees inspect era/delta-2026-10.835      # a remittance: claims, lines, totals
    """
    from .sources.folder import inspect_folder, pin_key
    from .readers import read_schedule
    if Path(file).is_dir():
        entries = inspect_folder(file)
        if as_json:
            click.echo(json.dumps([e.to_dict() for e in entries], indent=2,
                                  ensure_ascii=False, allow_nan=False))
        else:
            _echo(render_folder(entries))
        return
    from .sources.era import describe, looks_like_x12, read_era
    from .sources.era import render as render_era
    if looks_like_x12(file):
        remittance = read_era(file)
        if as_json:
            click.echo(json.dumps(describe(remittance), indent=2, ensure_ascii=False,
                                  allow_nan=False))
        else:
            _echo(render_era(remittance))
        return
    read = read_schedule(file, role=role, sheet=sheet, payer=payer, dimension=dimension,
                         key=pin_key(Path(file)))
    if as_json:
        click.echo(json.dumps(read.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _echo(render_inspection(read))


@cli.command("addin")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the Excel add-in (.xlam).")
@click.option("--configure", is_flag=True,
              help="Point the add-in at this Python (the one xlfees is installed in): "
                   "writes the interpreter to the add-in's settings file.")
def addin_command(output: str | None, configure: bool) -> None:
    """Write the "Fees" ribbon add-in (xlfees.xlam) to install in Excel.

    The add-in runs xlfees in a Python of its own choosing: --configure
    writes this Python into its settings file (%USERPROFILE%\\.xlfees\\xlfees.conf),
    so run it from the environment xlfees is installed in. Then in Excel: File >
    Options > Add-ins > Manage Excel Add-ins > Go > Browse, and pick the file
    written here (README: "Install the add-in on Windows").

    \b
    Examples:
      xlfees addin -o xlfees.xlam --configure
      xlfees addin --configure          # after upgrading Python or moving the venv
    """
    from .workbook import copy_addin
    if output is None and not configure:
        raise click.UsageError("give -o PATH for the add-in, --configure, or both")
    if output is not None:
        _echo(f"Wrote {copy_addin(output)}", err=True)
    if configure:
        from .excel.config import interpreter_setting, write_user_config
        key, interpreter = interpreter_setting()
        _echo(f"Wrote {write_user_config()}: {key} = {interpreter}", err=True)


@cli.command("letters")
@click.argument("client_dir", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, dir_okay=True),
              help="Folder for the letters, the summary PDF and the proposed schedules.")
@click.option("--top", type=click.IntRange(1, 200),
              help="Ask on at most this many codes per payer, for this run (the setting "
                   f"ask_codes) [default: client.toml's, else {DEFAULT_TOP}].")
@click.option("--date", "letter_date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date the letters (YYYY-MM-DD) [default: today].")
def letters_command(client_dir: str, out_dir: str, top: int | None,
                    letter_date: Any) -> None:
    """Write the negotiation package for one client.

    One fee review request letter per payer (.docx, editable) listing the codes
    it pays below the benchmark, most valuable first (a payer with none gets a
    note, not a letter), a one-page summary for the practice owner (.pdf), and
    each payer's proposed schedule ready to import once the payer accepts: Open
    Dental's Fee Tools layout and a Dentrix Ascend-style CSV. The letterhead,
    signer and each payer's addressee come from client.toml.

    \b
    Examples:
      xlfees letters examples/riverbend-family-dental -o riverbend-letters
      xlfees letters acme -o acme-letters --top 10 --date 2026-12-01
    """
    from .analysis import analyze
    from .deliverables import write_deliverables
    from .client import load_client
    client = load_client(client_dir)
    # --top changes the packages themselves, so the summary PDF, the letters and the
    # proposed-fee files written here still show one value of the ask.
    analysis = analyze(client if top is None else client.asking_on(top))
    day = letter_date.date() if letter_date else None
    written = write_deliverables(analysis, out_dir, day=day)
    for path in written.all:
        _echo(f"Wrote {path}")
    for note in written.passed_over:
        _echo(f"Note: {note}")


def _send_options(command: Any) -> Any:
    """The options of `send`, shared by `batch --send`."""
    options = [
        click.option("--from", "sender", envvar="XLFEES_FROM", metavar="ADDRESS",
                     help="Your address, the messages' sender [env: XLFEES_FROM]."),
        click.option("--smtp-host", help="Send through this mail server (without it: .eml "
                                         "files in OUT_DIR/outbox)."),
        click.option("--smtp-port", type=click.IntRange(1, 65535),
                     help="[default: 587 with starttls, 465 with tls, 25 with none]"),
        click.option("--security", type=click.Choice(SECURITY), default="starttls",
                     show_default=True,
                     help="starttls: upgrade the connection; tls: TLS from the start."),
        click.option("--smtp-user", help="Log in as this user; the password comes from "
                                         "the variable --password-env names, else a prompt."),
        click.option("--password-env", default="XLFEES_SMTP_PASSWORD", show_default=True,
                     metavar="VAR", help="Environment variable holding the SMTP password."),
        click.option("--cafile", type=click.Path(exists=True, dir_okay=False),
                     help="Also trust the certificates in this PEM file."),
        click.option("--dry-run", is_flag=True,
                     help="Write .eml files even when --smtp-host is given."),
        click.option("--resend", is_flag=True,
                     help="Send again to recipients the send log says already have the files."),
        click.option("--encrypt-password-env", metavar="VAR",
                     help="Password-protect the attached workbooks with the password in "
                          "this environment variable (send the password another way)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _send(out_dir: Path, sender: str | None, smtp_host: str | None, smtp_port: int | None,
          security: str, smtp_user: str | None, password_env: str, cafile: str | None,
          dry_run: bool, resend: bool, encrypt_password_env: str | None) -> bool:
    """Run the send step and print each client's outcome; True when none failed."""
    import os

    from .batch.send import Smtp, render_outcome, render_report, send_batch

    encrypt_password = None
    if encrypt_password_env:
        encrypt_password = os.environ.get(encrypt_password_env)
        if not encrypt_password:
            raise click.UsageError(f"--encrypt-password-env {encrypt_password_env}: that "
                                   "environment variable is not set (set it to the workbook "
                                   "password)")
    smtp = None
    if smtp_host and not dry_run:
        password = None
        if smtp_user:
            password = os.environ.get(password_env)
            if password is None:
                if not sys.stdin.isatty():
                    raise click.UsageError(f"no SMTP password: set {password_env} (or run "
                                           "in a terminal to be asked for it)")
                password = click.prompt(f"Password for {smtp_user} at {smtp_host}",
                                        hide_input=True, err=True)
        smtp = Smtp(smtp_host, smtp_port, security, smtp_user, password, cafile)
    report = send_batch(out_dir, sender or "", smtp, resend=resend,
                        encrypt_password=encrypt_password,
                        on_outcome=lambda outcome: _echo(render_outcome(outcome)))
    _echo(render_report(report))
    return not report.failed


@cli.command("send")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@_send_options
def send_command(out_dir: str, **options: Any) -> None:
    """E-mail each client's workbook (and letters) from a batch run to its owner.

    One message per client in OUT_DIR (what `xlfees batch -o OUT_DIR` wrote) to
    the owner_email (and cc) of its client.toml: the headline figures in the
    text, the workbook, letters and summary attached. Without --smtp-host it
    writes OUT_DIR/outbox/<client>.eml to open in any mail client. With it, it
    sends, and records each recipient in OUT_DIR/xlfees-sent.json, so a second
    run sends nothing twice (--resend to force). The password is never an
    option: it comes from an environment variable or a prompt. A client without
    owner_email is skipped with a note; exit status 1 if any message failed.

    \b
    Examples:
      xlfees send reports --from pat@consulting.example
      XLFEES_SMTP_PASSWORD=… xlfees send reports --from pat@consulting.example \\
          --smtp-host smtp.office365.com --smtp-user pat@consulting.example
      WORKBOOK_PW=… xlfees send reports --encrypt-password-env WORKBOOK_PW
    """
    if not _send(Path(out_dir), **options):
        sys.exit(1)


@cli.command("batch")
@click.argument("clients_dir", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, dir_okay=True),
              help="Folder for the workbooks and index.xlsx (created if needed).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Clients analysed at once, in separate processes [default: the cores].")
@click.option("--template", type=click.Path(exists=True, dir_okay=False),
              help="Fill this template instead of the built-in one.")
@click.option("--letters", is_flag=True,
              help="Also write each client's letters, summary PDF and proposed schedules "
                   "into OUT_DIR/<client>/.")
@click.option("--date", "letter_date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date the letters (YYYY-MM-DD) [default: today].")
@click.option("--send", "then_send", is_flag=True,
              help="Then e-mail each owner their files (`xlfees send`: .eml files unless "
                   "--smtp-host is given).")
@click.option("--worklist", "start_worklist", is_flag=True,
              help="Start a recovery worklist (recovery.csv) in each client folder that keeps "
                   "none; one a folder keeps is always brought up to date.")
@_send_options
def batch_command(clients_dir: str, out_dir: str, jobs: int | None,
                  template: str | None, letters: bool, letter_date: Any, then_send: bool,
                  start_worklist: bool, **send_options: Any) -> None:
    """Analyse every client folder inside CLIENTS_DIR: one workbook each, plus an index.

    Writes OUT_DIR/<client>.xlsx for each client folder and OUT_DIR/index.xlsx
    listing every client (payers, codes, effective rates, write-off, top target,
    status, a link to its workbook). Client folders that are locations of one group
    (`group = "…"` in client.toml, or a group.toml in CLIENTS_DIR) also give
    OUT_DIR/<group>.xlsx, the roll-up per payer, and one page per payer in
    OUT_DIR/<group>/network-value-<payer>.pdf. A broken client never stops the others; the
    exit status is 0 only when every client succeeded, 1 when any failed, 2 for
    a usage error. Ctrl-C or SIGTERM leaves no half-written workbook.

    \b
    Examples:
      xlfees batch examples -o out
      xlfees batch ~/Clients -o ~/Reports/2026-11 --jobs 2
      xlfees batch ~/Clients -o reports --template branded.xlsx
      xlfees batch ~/Clients -o reports --letters --date 2026-12-01
      xlfees batch ~/Clients -o reports --letters --send --from pat@consulting.example
    """
    from .batch.results import BatchError
    from .batch.run import client_folders, run_batch
    clients = Path(clients_dir)
    output = Path(out_dir)
    total = len([f for f in client_folders(clients) if f.resolve() != output.resolve()])
    # SIGTERM unwinds like Ctrl-C: workers stop, temporary files are removed.
    previous_handler = signal.signal(signal.SIGTERM, raise_interrupt)
    bar = None
    if sys.stderr.isatty() and total:
        bar = click.progressbar(length=total, label="Analysing clients", file=sys.stderr,
                                show_pos=True, item_show_func=lambda name: name)
        bar.__enter__()

    def progress(result: ClientResult, done: int, count: int) -> None:
        name = readable_name(Path(result.folder).name)
        if bar is not None:
            bar.update(1, name)
            return
        if result.ok:
            _echo(f"[{done}/{count}] ok      {name} → {result.workbook} "
                       f"({plural(result.payers, 'payer')}, {result.seconds:.1f} s)")
        else:
            _echo(f"[{done}/{count}] FAILED  {name}: {result.error}")

    try:
        batch = run_batch(clients, output, jobs=jobs, template=template, on_result=progress,
                          letters=letters, worklist=start_worklist,
                          letter_date=letter_date.date() if letter_date else None)
    except BatchError as error:
        raise click.UsageError(one_line(str(error))) from None
    except KeyboardInterrupt:
        _echo("Interrupted: the workbooks already written are whole; no partial "
                   "file was left.", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        if bar is not None:
            bar.__exit__(None, None, None)
    _echo(render_batch(batch))
    sent = _send(output, **send_options) if then_send else True
    if batch.failed or not sent or any(not g.ok for g in batch.groups):
        sys.exit(1)


@cli.group("pull")
def pull_group() -> None:
    """Pull a client folder straight from a practice-management system's database.

    \b
    Examples:
      xlfees pull opendental --user xlfees_read -o clients/smith-dental
      xlfees pull opendental --help
    """


@pull_group.command("opendental")
@click.option("--host", default="localhost", show_default=True,
              help="The MySQL/MariaDB server that holds Open Dental's database.")
@click.option("--port", type=click.IntRange(1, 65535), default=3306, show_default=True)
@click.option("--user", required=True,
              help="A MySQL user with SELECT on the tables read (README: \"Pulling from "
                   "Open Dental\"). The password comes from XLFEES_DB_PASSWORD, else a "
                   "prompt.")
@click.option("--database", default="opendental", show_default=True)
@click.option("-o", "--out", "out_dir", required=True,
              type=click.Path(file_okay=False, dir_okay=True),
              help="The client folder to write (new, empty, or an earlier pull's).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First procedure date (YYYY-MM-DD) [default: a year before --until].")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Last procedure date (YYYY-MM-DD) [default: today].")
@click.option("--clinic",
              help="One clinic (its number, abbreviation or name), or \"all\" for one folder "
                   "per clinic inside OUT, each a location of the practice's group.")
@click.option("-v", "--verbose", is_flag=True, help="List every SQL statement run.")
def pull_opendental_command(host: str, port: int, user: str, database: str, out_dir: str,
                            since: Any, until: Any, clinic: str | None,
                            verbose: bool) -> None:
    """Read an Open Dental database, read-only, into a client folder.

    Writes office_fees.csv (the default provider's fee schedule), schedules.csv
    (each carrier's plan fee schedules), volume.csv (completed procedures by code
    and carrier since --since), era/ (received ERAs) and client.toml (the
    practice's name, [payer_aliases] for the ERAs' payer names, carriers'
    addresses). Only SELECT statements run, in a read-only transaction.

    \b
    Examples:
      XLFEES_DB_PASSWORD=… xlfees pull opendental --user xlfees_read -o clients/smith-dental
      xlfees pull opendental --host 192.168.1.20 --user xlfees_read --clinic all -o clients/smith
      xlfees pull opendental --user xlfees_read --since 2026-01-01 -o clients/smith --verbose
      xlfees pull opendental --user xlfees_read --since 2025-01-01 --until 2025-12-31 -o smith-2025
      xlfees analyze clients/smith-dental -o smith.xlsx
    """
    from .analysis import analyze
    from .client import load_client
    from .errors import XlfeesError
    from .sources.opendental import PASSWORD_ENV, Database, PullError, pull_opendental

    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise click.UsageError(f"no database password: set {PASSWORD_ENV} (or run in a "
                                   "terminal to be asked for it)")
        password = click.prompt(f"Password for {user} at {host}:{port}", hide_input=True,
                                err=True)
    result = pull_opendental(
        out_dir, Database(host, port, user, database, password),
        since=since.date() if since else None, until=until.date() if until else None,
        clinic=clinic,
        progress=lambda line: _echo(line, err=True),
        on_statement=(lambda sql: _echo(f"  SQL: {sql}", err=True)) if verbose else None)
    _echo(render_pull(result))
    for pulled in result.folders:
        # The pull writes what `analyze` reads; should a folder still not analyse, the
        # run says so and fails, rather than leaving it to the next command.
        try:
            analyze(load_client(pulled.folder))
        except XlfeesError as error:
            raise PullError(f"{pulled.folder}: pulled, but it would not analyse: {error}") \
                from None


def _day(value: Any) -> date:
    """A --date option's day, today without one."""
    return value.date() if value else date.today()


class _ClientOrCommand(_Group):
    """`xlfees worklist CLIENT` shows the worklist; `xlfees worklist import …` and
    `xlfees worklist packets …` are its subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `xlfees worklist --json CLIENT` too; a folder named like a subcommand: ./show
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


_DATE = click.option("--date", "run_date", type=click.DateTime(formats=["%Y-%m-%d"]),
                     help="The run's date (YYYY-MM-DD) [default: today].")


@cli.group("worklist", cls=_ClientOrCommand)
def worklist_group() -> None:
    """The recovery worklist: underpaid and denied lines to recover, kept in the client
    folder's recovery.csv (started by its first run).

    Each run merges the client's remittances into it: new lines are added as open, a
    line a later remittance paid in full becomes recovered, and a person's status
    (open, appealed, recovered, written off, dismissed), owner and notes are never
    overwritten; no row is ever removed. Edit the file, or the workbook's Worklist sheet
    and take it back with `xlfees worklist import`.

    \b
    Examples:
      xlfees worklist examples/smile-studio
      xlfees worklist examples/smile-studio --json
      xlfees worklist packets examples/smile-studio -o appeals --date 2026-12-01
      xlfees worklist import smile-studio.xlsx --client examples/smile-studio
    """


@worklist_group.command("show")
@click.argument("client_dir", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("--json", "as_json", is_flag=True,
              help="Print the worklist as JSON (the `worklist` key of docs/json.md).")
@_DATE
def worklist_show_command(client_dir: str, as_json: bool, run_date: Any) -> None:
    """Bring CLIENT_DIR's worklist up to date (start it if the folder keeps none) and
    print the items to recover, the nearest deadline first. `xlfees worklist CLIENT_DIR`
    does the same.

    \b
    Examples:
      xlfees worklist show examples/smile-studio --date 2026-12-01
      xlfees worklist examples/smile-studio --json
    """
    from .analysis import analyze
    from .client import load_client
    from .deliverables.worklist import open_items_text, update_worklist
    worklist = update_worklist(client_dir, analyze(load_client(client_dir)), _day(run_date))
    if as_json:
        click.echo(json.dumps(worklist.to_dict(), indent=2, ensure_ascii=False,
                              allow_nan=False))
    else:
        _echo(open_items_text(worklist))


@worklist_group.command("packets")
@click.argument("client_dir", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, dir_okay=True),
              help="Folder for the packets (created if needed).")
@_DATE
def worklist_packets_command(client_dir: str, out_dir: str, run_date: Any) -> None:
    """Write an appeal packet (PDF and .docx) per payer with open lines, and mark those
    lines appealed.

    Each packet is a cover letter (what is owed, against the schedule in force, the
    contract number client.toml gives under [contracts]) and the lines: claim, patient
    control number, service date, code, billed, paid, contracted, difference, CARC/RARC,
    trace number, and the total.

    \b
    Examples:
      xlfees worklist packets examples/smile-studio -o appeals
    """
    from .analysis import analyze
    from .client import load_client
    from .deliverables.worklist import update_worklist, write_packets
    day = _day(run_date)
    analysis = analyze(load_client(client_dir))
    update_worklist(client_dir, analysis, day)
    written = write_packets(analysis, client_dir, out_dir, day)
    for path in written:
        _echo(f"Wrote {path}")
    if not written:
        _echo("No open lines: no packet written.")
    else:
        _echo(f"Marked appealed on {day.isoformat()}: the lines of "
              f"{plural(len(written) // 2, 'packet')}.")


@worklist_group.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("--client", "client_dir", type=click.Path(exists=True, file_okay=False),
              help="The client folder whose recovery.csv takes the edits [default: the "
                   "workbook's folder, when it holds one].")
@_DATE
def worklist_import_command(workbook: str, client_dir: str | None, run_date: Any) -> None:
    """Take the Status, Owner and Notes a person set on WORKBOOK's Worklist sheet back
    into the client folder's recovery.csv.

    \b
    Examples:
      xlfees worklist import out/smile-studio.xlsx --client examples/smile-studio
    """
    from .batch.worklist import import_worklist
    from .sources.recovery import FILE_NAME
    folder = Path(client_dir) if client_dir else Path(workbook).parent
    if not client_dir and not (folder / FILE_NAME).exists():
        raise click.UsageError(f"{workbook}: its folder holds no {FILE_NAME}: name the client "
                               "folder with --client DIR")
    imported = import_worklist(workbook, folder, _day(run_date))
    _echo(f"{imported.path}: {plural(imported.changed, 'row')} changed of "
          f"{plural(imported.rows, 'row')} in the workbook")


def render_pull(result: Any) -> str:
    """Per folder written: its schedules, procedures by payer, ERAs, and the notes."""
    lines = []
    for folder in result.folders:
        procedures = sum(folder.procedures.values())
        lines.append(f"{folder.name} → {folder.folder}: {plural(folder.office_fees, 'office fee')}"
                     f", {plural(len(folder.schedules), 'payer schedule')}, "
                     f"{plural(procedures, 'procedure')}, {plural(folder.eras, 'ERA')}")
        for payer, units in sorted(folder.procedures.items(), key=lambda i: (-i[1], i[0])):
            paid = folder.payments.get(payer)
            money = (f"; paid {amount(paid[0])}, written off {amount(paid[1])}" if paid else "")
            lines.append(f"  {payer}: {plural(units, 'procedure')}{money}")
        lines += [f"  Note: {note}" for note in folder.notes]
    transaction = ("a read-only transaction" if result.read_only else
                   "a transaction (this server has no read-only ones)")
    lines.append(f"Open Dental {result.version}: {plural(len(result.statements), 'statement')}"
                 f", all reads, in {transaction}. Next: xlfees analyze "
                 f"{result.folders[0].folder if len(result.folders) == 1 else '<folder>'}")
    return "\n".join(lines)


def render_batch(batch: BatchResult) -> str:
    """The closing summary: counts, the index, and each failure with its reason."""
    from .analysis.rollup import headline
    lines = [f"{plural(len(batch.results), 'client')}: {len(batch.succeeded)} written, "
             f"{len(batch.failed)} failed. Index: {batch.index}"]
    if batch.failed:
        lines.append("Failed:")
        lines += [f"  {readable_name(Path(r.folder).name)}: {r.error}" for r in batch.failed]
    for group in batch.groups:
        if group.rollup is None:
            lines.append(f"Group {group.group}: FAILED: {group.error}")
            continue
        summaries = plural(len(group.files), "network value summary",
                           "network value summaries")
        folder = Path(group.workbook or "").with_suffix("")
        lines.append(f"Group {headline(group.rollup)} → {group.workbook}; {summaries} "
                     f"in {folder}{os.sep}")
        lines += [f"  {note}" for note in group.rollup.notes]
    passed_over = [(r, note) for r in batch.succeeded for note in r.passed_over]
    if passed_over:
        lines.append("Payers without a letter:")
        lines += [f"  {readable_name(Path(r.folder).name)}: {note}" for r, note in passed_over]
    return "\n".join(lines)


def render_folder(entries: list[FolderEntry]) -> str:
    """One line per file of a client folder: role, payers, rows kept/rejected, why."""
    width = max((len(e.file) for e in entries), default=4)
    lines = []
    for entry in entries:
        if entry.role is None:
            lines.append(f"{entry.file:<{width}}  {'not read':<12} {entry.why}")
            continue
        payers = f" {', '.join(entry.payers)};" if entry.payers else ""
        lines.append(f"{entry.file:<{width}}  {entry.role:<12}{payers} {entry.kept} kept, "
                     f"{entry.rejected} rejected; {entry.why}")
    return "\n".join(lines) or "no files"


def render_inspection(read: FileRead, limit: int = 20) -> str:
    """A plain-text account of how one file was read."""
    from .labels import schedule_label
    lines = [read.file, f"  role:       {read.role}"]
    if read.role == "schedule":
        payers: dict[str, int] = {}
        for row in read.schedules:
            label = schedule_label(row["payer"], row["network"])
            payers[label] = payers.get(label, 0) + 1
        lines.append("  payers:     " + ", ".join(f"{p} ({n} code{'s' * (n != 1)})"
                                                  for p, n in payers.items()))
        if read.office_fees:
            lines.append(f"  office fees: {plural(len(read.office_fees), 'code')}")
    where = []
    if read.sheet is not None:
        where.append(f"sheet '{read.sheet}'")
    if read.header_place:
        where.append(f"column titles on {read.header_place}, line {read.header_row}")
    else:
        where.append(f"header row {read.header_row}" if read.header_row else "no header row")
    if read.encoding:
        delimiter = {"\t": "tab"}.get(read.delimiter or "", read.delimiter)
        where.append(f"{read.encoding}, delimiter {delimiter!r}")
    lines.append("  read from:  " + ", ".join(where))
    lines.append(f"  columns:    {read.column_mapping()}")
    for number, reason in enumerate(read.why.values()):
        lines.append(f"  {'why:' if number == 0 else '':<12}{reason}")
    lines.append(f"  rows kept:  {len(read.rows)}")
    lines.append(f"  rejected:   {read.rejected_count}")
    for note in read.rejected[:limit]:
        place = f"{note.sheet} row {note.row}" if note.sheet else f"row {note.row}"
        lines.append(f"    {place}: {note.text!r}: {note.reason}")
    if read.rejected_count > limit:
        lines.append(f"    … and {read.rejected_count - limit} more (see --json)")
    for note in read.notes:
        place = f"sheet '{note.sheet}' " if note.sheet else ""
        lines.append(f"  note:       {place}{note.reason}")
    return "\n".join(lines)


def render_summary(analysis: Analysis, top: int = 10) -> str:
    """A plain-text summary for the terminal: each figure rounded and shown as the
    workbook, the PDF and the e-mail show it (xlfees.money), totals summed before rounding."""
    from .labels import schedule_label
    lines = [f"{analysis.client.name}  (volume: {analysis.volume_basis})", ""]
    lines.append(f"{'Payer':<32} {'Codes':>5} {'Eff. rate':>9} {'Write-off/yr':>14} "
                 f"{'Ask value/yr':>14}")
    payers = analysis.payers
    for name, codes, rate, write_off, ask in zip(
            [schedule_label(p, n) for p, n in zip(payers["payer"], payers["network"])],
            payers["codes"].tolist(), payers["effective_rate"].tolist(),
            payers["annual_writeoff"].tolist(), payers["impact_at_ask"].tolist()):
        shown_rate = "—" if _missing(rate) else percent(rate)
        lines.append(f"{name[:32]:<32} {codes:>5} {shown_rate:>9} "
                     f"{amount(write_off):>14} {amount(ask):>14}")
    targets = analysis.targets.head(top)
    lines += ["", f"Top {plural(len(targets), 'target')} (volume × shortfall vs peers):"]
    for rank, (payer, network, code, allowed, benchmark, priority) in enumerate(zip(
            *(targets[c].tolist() for c in ("payer", "network", "code", "allowed",
                                            "benchmark", "priority"))), start=1):
        name = schedule_label(payer, network)
        peer = "—" if _missing(benchmark) else amount(benchmark)
        lines.append(f"{rank:>3}. {name[:28]:<28} {code}  allowed {amount(allowed):>9}  "
                     f"peer {peer:>9}  worth {amount(priority):>11}/yr")
    savings = math.fsum(analysis.payers["alt_savings"])
    lines += ["", f"Alternate benefits: patients would save {amount(savings)} a year"]
    lines += _paid_on_lines(analysis)
    lines.append(f"Notes: {len(analysis.notes)} (see --json for each)")
    return "\n".join(lines)


def _paid_on_lines(analysis: Analysis) -> list[str]:
    """Which contract paid the ERA lines, per payer, and each raise realized."""
    from .labels import schedule_label
    paid_on = analysis.paid_on
    if paid_on is None or paid_on.payers.empty:
        return []
    lines = ["", "Which contract paid (ERA lines against every schedule in the folder):"]
    for r in paid_on.payers.to_dict("records"):
        lines.append(f"  {schedule_label(r['payer'], r['network'])}: {r['contracted_lines']} "
                     f"of {r['lines']} lines at its contract ({percent(r['contracted_share'])}); "
                     f"{amount(r['lost'])} below it, {amount(r['lost_a_year'])} a year")
        lines.append(f"    priced at: {r['schedules']}")
    for r in paid_on.realized.to_dict("records"):
        last = r["last_old_rate_date"]
        lines.append(f"  Raise of {r['effective'].isoformat()}, "
                     f"{schedule_label(r['payer'], r['network'])}: promised "
                     f"{amount(r['promised'])}, realized {amount(r['realized'])}, missed "
                     f"{amount(r['missed'])}"
                     + (f"; last at the old rate {last.isoformat()}" if last else ""))
    return lines


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _echo(text: str, err: bool = False) -> None:
    """Print for a person: each line one terminal line, no escape sequence from a file or
    payer name reaches the terminal."""
    click.echo("\n".join(one_line(line) for line in str(text).split("\n")), err=err)


def run() -> int:
    """Run the command line on sys.argv; the exit status (see xlfees.entry.main)."""
    try:
        code = cli.main(prog_name="xlfees", standalone_mode=False)
    except click.exceptions.Abort:   # Ctrl-C inside click itself
        return interrupted()
    except click.ClickException as error:   # a usage error: exit status 2
        error.show()
        return error.exit_code
    return code if isinstance(code, int) else 0

