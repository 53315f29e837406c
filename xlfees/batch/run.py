"""``run_batch``: every client folder in a folder → one workbook each, plus an index.

Clients run in parallel processes; one broken client never stops the others.
Every workbook is written to a temporary name and renamed, and an interrupted
worker removes its temporary file, so an interrupted batch leaves only whole
workbooks behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..signals import raise_interrupt
from ..errors import describe_error
from ..wording import readable_name
from .groups import group_members, write_group
from .manifest import MANIFEST_NAME, is_earlier_output, write_manifest
from .results import BatchError, BatchResult, ClientResult

INDEX_NAME = "index.xlsx"


def client_folders(clients_dir: Path) -> list[Path]:
    """The client folders inside ``clients_dir`` (hidden and ``_``-prefixed ones skipped)."""
    return sorted(p for p in clients_dir.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")))


def output_names(folders: Sequence[Path], groups: Sequence[str] = ()) -> dict[Path | str, str]:
    """Each client's output name (``<name>.xlsx``, its letters in ``<name>/``), then each
    group's: never ``index`` (the batch's own), never the same twice, even on a
    case-blind disk."""
    from ..written import safe_filename

    # Each output is a workbook <name>.xlsx and a folder <name>/: a name is taken in both
    # forms, so a group called "a.xlsx" cannot land its folder on client a's workbook.
    # Never the batch's own files either: the index, send's outbox, the manifests.
    taken = {INDEX_NAME.casefold(), "outbox", MANIFEST_NAME, "xlfees-sent.json"}
    names: dict[Path | str, str] = {}
    outputs: list[Path | str] = [*folders, *groups]
    for item in outputs:
        base = readable_name(item.name) if isinstance(item, Path) else safe_filename(item)
        name, number = base, 1
        while name.casefold() in taken or f"{name}.xlsx".casefold() in taken:
            number += 1
            name = f"{base} ({number})"
        taken |= {name.casefold(), f"{name}.xlsx".casefold()}
        names[item] = name
    return names


@dataclass(frozen=True)
class _Task:
    folder: str
    out_dir: str
    template: str | None
    letters: bool
    letter_date: date | None
    name: str               # what its workbook and letters folder are called
    worklist: bool = False  # start a recovery worklist where the folder keeps none


def process_client(task: _Task) -> ClientResult:
    """Load, analyse and write one client; any error becomes a failed result."""
    from ..analysis import analyze
    from ..deliverables import write_deliverables
    from ..deliverables.worklist import with_worklist
    from ..labels import schedule_label
    from ..client import load_client
    from ..analysis.rollup import location_figures
    from ..workbook import write_workbook
    from ..workbook.tables import summary_values

    path = Path(task.folder)
    folder = task.folder
    start = time.perf_counter()
    try:
        analysis = with_worklist(analyze(load_client(path)), path,
                                 task.letter_date or date.today(), start=task.worklist)
        workbook = write_workbook(analysis, Path(task.out_dir) / f"{task.name}.xlsx",
                                  task.template)
        extras = (write_deliverables(analysis, Path(task.out_dir) / task.name,
                                     day=task.letter_date) if task.letters else None)
    except Exception as error:  # noqa: BLE001 - whatever it is, only this client fails
        return ClientResult(client=readable_name(path.name), folder=folder, ok=False,
                            error=describe_error(error), seconds=time.perf_counter() - start)
    targets = analysis.targets
    top = targets.iloc[0] if len(targets) else None
    # The index shows the workbook's own Summary figures.
    payers, writeoff, impact, savings, overall, _ = summary_values(analysis)
    return ClientResult(
        client=analysis.client.name, folder=folder, ok=True, workbook=str(workbook),
        payers=payers, codes=int(analysis.gaps["code"].nunique()),
        effective_rate=overall if overall != "" else None,
        payer_rates=tuple((schedule_label(p, n), None if r != r else float(r))
                          for p, n, r in analysis.payers[["payer", "network", "effective_rate"]]
                          .itertuples(index=False)),
        annual_writeoff=writeoff, impact_at_ask=impact, patient_savings=savings,
        payer_asks=tuple((schedule_label(p, n), float(value)) for p, n, value in
                         analysis.payers[["payer", "network", "impact_at_ask"]]
                         .itertuples(index=False)),
        top_target=(f"{schedule_label(top['payer'], top['network'])} {top['code']}"
                    if top is not None else None),
        top_target_value=float(top["priority"]) if top is not None else 0.0,
        top_targets=tuple((f"{schedule_label(r['payer'], r['network'])} {r['code']}",
                           float(r["priority"]))
                          for r in targets.head(3).to_dict("records") if r["priority"] > 0),
        owner_email=analysis.client.owner_email, cc=analysis.client.cc,
        won_this_round=analysis.changes.won if analysis.changes is not None else None,
        worklist=(() if analysis.worklist is None else tuple(
            (r["payer"], float(r["open_amount"]), float(r["appealed_amount"]),
             float(r["recovered_amount"]), float(r["written_off_amount"]), int(r["due_soon"]))
            for r in analysis.worklist.payers.to_dict("records"))),
        missed_since_raise=(analysis.paid_on.missed() if analysis.paid_on is not None
                            and len(analysis.paid_on.realized) else None),
        files=tuple(str(path) for path in (extras.letters + [extras.summary]
                                           if extras and extras.summary else [])),
        notes=len(analysis.notes), deliverables=len(extras.all) if extras else 0,
        passed_over=tuple(extras.passed_over) if extras else (),
        no_ask=tuple(f"{schedule_label(*key)}: {why}" for key, why in
                     analysis.asks.nothing_asked()),
        seconds=time.perf_counter() - start, location=location_figures(analysis, folder))


def _client_process(task: _Task, sender: Connection,
                    work: Callable[[_Task], ClientResult]) -> None:
    """One client in its own process: the result goes back through the pipe."""
    # Ctrl-C reaches the whole process group: the parent alone handles it and stops us
    # with SIGTERM, which unwinds like an interrupt so the writer removes its temporary file.
    try:
        # Inside the try: a SIGTERM the moment the handler is in place is caught below.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, raise_interrupt)
        try:
            result = work(task)
        except Exception as error:  # noqa: BLE001 - no traceback on the user's terminal
            result = ClientResult(client=readable_name(Path(task.folder).name),
                                  folder=task.folder, ok=False, error=describe_error(error))
        sender.send(result)
    except (KeyboardInterrupt, BrokenPipeError):   # stopped, or the parent is gone
        pass
    finally:
        sender.close()


def _start_without_sigint(process: Any) -> None:
    """Start a client's process with Ctrl-C blocked, as the fork server that makes it is.

    Ctrl-C goes to the whole process group; a child that took it while starting up
    would print a KeyboardInterrupt traceback. Blocked, it stays pending in the
    children (the parent stops them with SIGTERM) and reaches the parent once
    unblocked here.
    """
    if not hasattr(signal, "pthread_sigmask"):
        process.start()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    """forkserver where the OS has it (a fresh, preloaded, single-threaded parent), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["xlfees.batch.run", "xlfees.client", "xlfees.analysis",
                                        "xlfees.workbook", "xlfees.deliverables"])
        return context
    return multiprocessing.get_context("spawn")


def _died(task: _Task, exitcode: int | None, seconds: float) -> ClientResult:
    """The result of a client whose process ended without sending one."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = {"SIGKILL": " (killed: out of memory?)", "SIGABRT": " (aborted while reading "
               "a file: a damaged or hostile workbook?)", "SIGSEGV": " (crashed)"}.get(name, "")
        reason = f"its process was stopped by {name}{why}"
    else:
        reason = f"its process ended with exit status {exitcode} before giving a result"
    return ClientResult(client=readable_name(Path(task.folder).name), folder=task.folder,
                        ok=False, error=f"{reason}; inspect its files one by one with "
                                        "`xlfees inspect` to find the one at fault",
                        seconds=seconds)


def _results(tasks: list[_Task], jobs: int,
             work: Callable[[_Task], ClientResult] = process_client) -> Iterator[ClientResult]:
    """Each client in a process of its own, ``jobs`` at a time; a process that dies
    (an abort in a reader, the OOM killer) fails its client, and only that client."""
    context = _context()
    waiting = list(reversed(tasks))
    running: list[_Running] = []
    stop = _StopRequest()
    try:
        while waiting or running:
            if stop.signalled:
                raise KeyboardInterrupt
            while waiting and len(running) < jobs:
                task = waiting.pop()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_client_process, args=(task, sender, work),
                                          daemon=True)
                # Tracked before it starts: an interrupt the moment start() returns must
                # still stop it (an untracked child would outlive us and print a traceback).
                running.append(_Running(task, process, receiver, time.perf_counter()))
                _start_without_sigint(process)
                sender.close()
            # Read results as they come (a full pipe would block the child), and notice
            # processes that end, with or without one.
            ready = set(wait([r.receiver for r in running if not r.closed]
                             + [r.process.sentinel for r in running], timeout=0.2))
            for entry in list(running):
                if not entry.closed and entry.receiver in ready:
                    try:
                        entry.result = entry.receiver.recv()
                    except (EOFError, OSError):
                        pass
                    entry.receiver.close()
                    entry.closed = True
                if entry.process.sentinel in ready and entry.closed:
                    entry.process.join()
                    running.remove(entry)
                    yield entry.result or _died(entry.task, entry.process.exitcode,
                                                time.perf_counter() - entry.started)
    except BaseException:
        started = [entry for entry in running if entry.process.pid is not None]
        for entry in started:
            entry.process.terminate()   # SIGTERM: each unwinds and removes its temporary file
        for entry in started:
            entry.process.join()
        for entry in running:
            if not entry.closed:
                entry.receiver.close()
        raise
    finally:
        stop.restore()


class _StopRequest:
    """Ctrl-C and SIGTERM while clients run only set a flag the loop above checks.

    Raised wherever the signal lands, the interrupt could fall inside multiprocessing's
    own clean-up of a finished client, which swallows it ("Exception ignored"): the run
    would go on. (Outside the main thread signals cannot be caught: left as they are.)
    """

    def __init__(self) -> None:
        self.signalled = False
        self.previous: dict[int, Any] = {}
        try:
            for number in (signal.SIGINT, signal.SIGTERM):
                self.previous[number] = signal.signal(number, self.note)
        except ValueError:   # not the main thread
            self.restore()

    def note(self, signum: int, frame: Any) -> None:
        self.signalled = True

    def restore(self) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        self.previous = {}


@dataclass
class _Running:
    """A client's process while it runs, and its result once it has sent it."""

    task: _Task
    process: Any
    receiver: Connection
    started: float
    result: ClientResult | None = None
    closed: bool = False


def run_batch(clients_dir: str | Path, out_dir: str | Path, *, jobs: int | None = None,
              template: str | Path | None = None,
              on_result: Callable[[ClientResult, int, int], None] | None = None,
              letters: bool = False, letter_date: date | None = None,
              worklist: bool = False,
              _work: Callable[[_Task], ClientResult] | None = None) -> BatchResult:
    """Analyse every client folder in ``clients_dir`` into ``out_dir``, ``jobs`` at a time.

    ``on_result(result, done, total)`` is called as each client finishes (for
    progress). The index workbook lists every client, failed ones included.
    With ``letters`` each client's deliverables go to ``out_dir/<client folder>/``; with
    ``worklist`` a client folder without a recovery.csv starts one (one that has it is
    always merged).
    (``_work`` replaces the per-client function, for tests of a worker that dies.)
    """
    clients_dir, out_dir = Path(clients_dir), Path(out_dir)
    output = out_dir.resolve()
    # The output folder may sit inside the clients folder (examples/out): it is no client
    # (it is empty, or holds an earlier run's index); a client's own folder is refused.
    folders = []
    for folder in client_folders(clients_dir):
        if folder.resolve() != output:
            folders.append(folder)
        elif any(folder.iterdir()) and not is_earlier_output(folder):
            raise BatchError(f"the output folder {out_dir} is the client folder {folder}: "
                             "write to a folder of its own (e.g. "
                             f"{clients_dir / 'out'})")
    for folder in folders:
        if folder.resolve() in output.parents:
            raise BatchError(f"the output folder {out_dir} is inside the client folder "
                             f"{folder}, where its results would mix with that client's "
                             "inputs: write to a folder outside it (e.g. "
                             f"{clients_dir / 'out'})")
    if not folders:
        raise BatchError(f"{clients_dir} holds no client folders: put one folder per client "
                         "inside it (each with its office fees and payer schedules)")
    from ..sources.group_toml import read_group_file
    group_file = read_group_file(clients_dir, [f.name for f in folders])
    from ..files import folder_lock
    with folder_lock(out_dir, "a batch"):
        return _run_locked(clients_dir, out_dir, folders, group_file, jobs=jobs,
                           template=template, on_result=on_result, letters=letters,
                           letter_date=letter_date, worklist=worklist, _work=_work)


def _run_locked(clients_dir: Path, out_dir: Path, folders: list[Path], group_file: Any, *,
                jobs: int | None, template: str | Path | None,
                on_result: Callable[[ClientResult, int, int], None] | None,
                letters: bool, letter_date: date | None, worklist: bool,
                _work: Callable[[_Task], ClientResult] | None) -> BatchResult:
    """The batch itself, while this process alone writes to ``out_dir``."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(folders)))
    # One date for every letter of the run, even one that passes midnight.
    letter_date = letter_date or date.today()
    names = output_names(folders)
    tasks = [_Task(str(f), str(out_dir), str(template) if template else None, letters,
                   letter_date, names[f], worklist) for f in folders]
    results: list[ClientResult] = []
    try:
        for result in _results(tasks, jobs, _work or process_client):
            results.append(result)
            if on_result:
                on_result(result, len(results), len(tasks))
    finally:
        _remove_partials(out_dir)
    results.sort(key=lambda r: Path(r.folder).name)
    batch = BatchResult(results=results)
    members = group_members(results, group_file)
    group_names = output_names(folders, list(members))
    for group, (locations, aliases, notes) in members.items():
        batch.groups.append(write_group(group, locations, aliases, out_dir,
                                        group_names[group], letter_date, notes))
    from .index import write_index
    batch.index = write_index(batch, out_dir / INDEX_NAME)
    write_manifest(batch, out_dir / MANIFEST_NAME)
    return batch


def _remove_partials(out_dir: Path) -> None:
    """Temporary workbooks of interrupted writers (normally each removes its own)."""
    for partial in out_dir.rglob(".*.partial"):
        partial.unlink(missing_ok=True)
