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


# Open Dental's tables as its schema documentation gives them (the columns read, and
# some beside them so a SELECT * would not suffice).
SCHEMA = """
CREATE TABLE preference (PrefNum bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  PrefName varchar(255) NOT NULL DEFAULT '', ValueString mediumtext NOT NULL,
  Comments text);
CREATE TABLE provider (ProvNum bigint(20) NOT NULL PRIMARY KEY, Abbr varchar(255),
  FName varchar(100), LName varchar(100), FeeSched bigint(20) NOT NULL,
  IsHidden tinyint(4) NOT NULL DEFAULT 0);
CREATE TABLE procedurecode (CodeNum bigint(20) NOT NULL PRIMARY KEY,
  ProcCode varchar(15) NOT NULL, Descript varchar(255), AbbrDesc varchar(50),
  ProcCat bigint(20) NOT NULL DEFAULT 0, KEY ProcCode (ProcCode));
CREATE TABLE feesched (FeeSchedNum bigint(20) NOT NULL PRIMARY KEY,
  Description varchar(255), FeeSchedType int(11) NOT NULL, ItemOrder int(11) NOT NULL,
  IsHidden tinyint(1) NOT NULL, IsGlobal tinyint(4) NOT NULL DEFAULT 1);
CREATE TABLE fee (FeeNum bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY, Amount double NOT NULL,
  OldCode varchar(15), FeeSched bigint(20) NOT NULL, UseDefaultFee tinyint(4) NOT NULL DEFAULT 0,
  UseDefaultCov tinyint(4) NOT NULL DEFAULT 0, CodeNum bigint(20) NOT NULL,
  ClinicNum bigint(20) NOT NULL DEFAULT 0, ProvNum bigint(20) NOT NULL DEFAULT 0,
  KEY FeeSched (FeeSched), KEY CodeNum (CodeNum));
CREATE TABLE carrier (CarrierNum bigint(20) NOT NULL PRIMARY KEY, CarrierName varchar(255),
  Address varchar(255), Address2 varchar(255), City varchar(255), State varchar(255),
  Zip varchar(255), Phone varchar(255), ElectID varchar(255),
  IsHidden tinyint(4) NOT NULL DEFAULT 0);
CREATE TABLE insplan (PlanNum bigint(20) NOT NULL PRIMARY KEY, GroupName varchar(255),
  GroupNum varchar(255), PlanNote text, FeeSched bigint(20) NOT NULL DEFAULT 0,
  PlanType varchar(255) NOT NULL DEFAULT '', ClaimFormNum bigint(20) NOT NULL DEFAULT 0,
  CopayFeeSched bigint(20) NOT NULL DEFAULT 0, EmployerNum bigint(20) NOT NULL DEFAULT 0,
  CarrierNum bigint(20) NOT NULL, AllowedFeeSched bigint(20) NOT NULL DEFAULT 0,
  IsHidden tinyint(4) NOT NULL DEFAULT 0);
CREATE TABLE clinic (ClinicNum bigint(20) NOT NULL PRIMARY KEY, Description varchar(255),
  Address varchar(255), Abbr varchar(255), IsHidden tinyint(4) NOT NULL DEFAULT 0);
CREATE TABLE procedurelog (ProcNum bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  PatNum bigint(20) NOT NULL DEFAULT 0, AptNum bigint(20) NOT NULL DEFAULT 0,
  ProcDate date NOT NULL DEFAULT '0001-01-01', ProcFee double NOT NULL DEFAULT 0,
  ProcStatus tinyint(4) NOT NULL, CodeNum bigint(20) NOT NULL,
  ClinicNum bigint(20) NOT NULL DEFAULT 0, BaseUnits int(11) NOT NULL DEFAULT 0,
  UnitQty int(11) NOT NULL DEFAULT 0, ProvNum bigint(20) NOT NULL DEFAULT 0,
  KEY ProcDate (ProcDate), KEY CodeNum (CodeNum));
CREATE TABLE claimproc (ClaimProcNum bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ProcNum bigint(20) NOT NULL DEFAULT 0, ClaimNum bigint(20) NOT NULL DEFAULT 0,
  PatNum bigint(20) NOT NULL DEFAULT 0, FeeBilled double NOT NULL DEFAULT 0,
  InsPayEst double NOT NULL DEFAULT 0, Status tinyint(4) NOT NULL,
  InsPayAmt double NOT NULL DEFAULT 0, PlanNum bigint(20) NOT NULL DEFAULT 0,
  DateCP date NOT NULL DEFAULT '0001-01-01', WriteOff double NOT NULL DEFAULT 0,
  AllowedOverride double NOT NULL DEFAULT -1, ClinicNum bigint(20) NOT NULL DEFAULT 0,
  ProcDate date NOT NULL DEFAULT '0001-01-01', KEY ProcNum (ProcNum), KEY PlanNum (PlanNum));
CREATE TABLE etrans (EtransNum bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  DateTimeTrans datetime NOT NULL DEFAULT '0001-01-01 00:00:00',
  ClearingHouseNum bigint(20) NOT NULL DEFAULT 0, Etype tinyint(4) NOT NULL,
  ClaimNum bigint(20) NOT NULL DEFAULT 0, CarrierNum bigint(20) NOT NULL DEFAULT 0,
  ClinicNum bigint(20) NOT NULL DEFAULT 0, EtransMessageTextNum bigint(20) NOT NULL DEFAULT 0);
CREATE TABLE etransmessagetext (EtransMessageTextNum bigint(20) NOT NULL AUTO_INCREMENT
  PRIMARY KEY, MessageText mediumtext NOT NULL);
"""
TABLES = ("preference", "provider", "procedurecode", "feesched", "fee", "carrier", "insplan",
          "clinic", "procedurelog", "claimproc", "etrans", "etransmessagetext")


def create_database(server: Server, name: str, *, tables: tuple[str, ...] = TABLES) -> None:
    """A new database with Open Dental's tables (those in ``tables``)."""
    with server.connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        cursor.execute(f"USE `{name}`")
        for statement in SCHEMA.split(";"):
            table = statement.split("(")[0].split()[-1] if statement.strip() else ""
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
