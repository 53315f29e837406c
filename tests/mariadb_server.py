"""A real MariaDB server on 127.0.0.1 for the Open Dental tests, and the tables Open Dental
has, with its names and types (DocumentationBuilder/OpenDentalDocumentation.xml, 24.3:
bigint(20) keys, tinyint enums and flags, double amounts, date/datetime, varchar(255)).

Only the columns xlfees reads and a few around them; Open Dental runs with a blank
sql_mode, so the server does too ('0000-00-00' and '0001-01-01' are "no date").
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql


def mariadb_available() -> bool:
    return bool(_binary("mariadbd") and _binary("mariadb-install-db"))


def _binary(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running mariadbd: root connects over TCP without a password."""

    port: int
    process: subprocess.Popen
    folder: Path
    log: Any = None

    def connect(self, database: str | None = None, user: str = "root",
                password: str = "") -> pymysql.connections.Connection:
        return pymysql.connect(host="127.0.0.1", port=self.port, user=user, password=password,
                               database=database, autocommit=True, charset="utf8mb4")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log is not None:
            self.log.close()


def start_server(folder: Path) -> Server:
    """Initialise a data directory in ``folder`` and start mariadbd on a free port."""
    data = folder / "data"
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([_binary("mariadb-install-db"), "--no-defaults", f"--datadir={data}",
                    "--auth-root-authentication-method=normal", "--skip-test-db", *user],
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = open(folder / "server.log", "wb")
    process = subprocess.Popen(
        [_binary("mariadbd"), "--no-defaults", f"--datadir={data}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--socket={folder / 'mysqld.sock'}",
         f"--pid-file={folder / 'mysqld.pid'}", "--sql-mode=", "--skip-log-bin",
         "--skip-name-resolve", "--innodb-buffer-pool-size=64M", *user],
        stdout=log, stderr=subprocess.STDOUT)
    server = Server(port, process, folder, log)
    deadline = time.monotonic() + 60
    while True:
        try:
            server.connect().close()
            return server
        except pymysql.err.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("mariadbd did not start: "
                                   + (folder / "server.log").read_text(errors="replace")[-2000:]
                                   ) from None
            time.sleep(0.2)


# Open Dental's tables as its published schema documentation gives them, per version:
# tests/data/opendental/schema-<version>.sql, written by scripts/opendental_schema.py from
# OpenDentalDocumentation.xml (no column made up for a test).
SCHEMAS = Path(__file__).parent / "data" / "opendental"
VERSIONS = ("17.4", "21.1", "24.3")   # the oldest, a middle and the newest public schema
NEWEST = VERSIONS[-1]
TABLES = ("preference", "provider", "procedurecode", "feesched", "fee", "carrier", "insplan",
          "clinic", "procedurelog", "claimproc", "claim", "etrans", "etransmessagetext",
          "etrans835attach")


def create_database(server: Server, name: str, *, tables: tuple[str, ...] = TABLES,
                    version: str = NEWEST) -> None:
    """A new database with Open Dental ``version``'s tables (those in ``tables``)."""
    schema = (SCHEMAS / f"schema-{version}.sql").read_text(encoding="utf-8")
    with server.connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        cursor.execute(f"USE `{name}`")
        for statement in schema.split(";"):
            statement = "\n".join(line for line in statement.splitlines()
                                  if not line.startswith("--")).strip()
            table = statement.split("(")[0].split()[-1] if statement else ""
            if table in tables:
                cursor.execute(statement)


def grant_select(server: Server, database: str, user: str, password: str,
                 tables: tuple[str, ...] = TABLES) -> None:
    """A user who may only SELECT, and only the tables xlfees reads."""
    with server.connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'")
        cursor.execute(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY %s", (password,))
        for table in tables:
            cursor.execute(f"GRANT SELECT ON `{database}`.`{table}` TO '{user}'@'127.0.0.1'")


def checksums(server: Server, database: str) -> dict[str, int]:
    """CHECKSUM TABLE of every table: what "nothing was written" is checked against."""
    with server.connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW TABLES")
        names = [row[0] for row in cursor.fetchall()]
        cursor.execute("CHECKSUM TABLE " + ", ".join(f"`{n}`" for n in names))
        return {row[0]: row[1] for row in cursor.fetchall()}


def insert(server: Server, database: str, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    with server.connect(database) as connection, connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO `{table}` ({', '.join(columns)}) VALUES "
            f"({', '.join(['%s'] * len(columns))})",
            [tuple(row[c] for c in columns) for row in rows])
