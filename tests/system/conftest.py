"""System tests: the service as real `wms serve` processes on 127.0.0.1, on the test
database (SQLite file or the PostgreSQL schema of tests/conftest.py), driven over HTTP by
many clients at once, killed with SIGKILL and started again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from wms.service_process import ServiceProcess

Start = Callable[..., ServiceProcess]


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Start]:
    """`services(print_worker=False, env={...})` starts one more `wms serve` on the test
    database; all are stopped at the end (their output is in the test's tmp_path)."""
    started: list[ServiceProcess] = []

    def start(print_worker: bool = False, env: dict[str, str] | None = None, workers: int = 1) -> ServiceProcess:
        service = ServiceProcess(database_url, workers=workers, print_worker=print_worker,
                                 env={"WMS_PLATFORM_SYNC": "false", **(env or {})},
                                 log=tmp_path / f"serve-{len(started)}.log")
        started.append(service)
        return service.start()

    yield start
    for service in started:
        service.stop(10)


@pytest.fixture
def postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("two service instances on one database need PostgreSQL (WMS_TEST_DATABASE_URL); on SQLite "
                    "the processes of one host share the file (tests/integration/test_stations_at_once.py)")
