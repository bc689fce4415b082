"""A short soak: concurrent clients through the gateway while the sandbox
fails a share of Stripe calls in every way it can. Nothing answers 5xx, and
every write is in Stripe exactly once."""

from __future__ import annotations

import asyncio

import pytest

from bench.soak import Options, Report, render, run_soak

SHORT = Options(clients=4, seconds=8, fault_rate=0.05, max_requests=5_000)


@pytest.fixture(scope="module")
def soak() -> Report:
    return asyncio.run(run_soak(SHORT))


def test_no_answer_is_a_server_error(soak: Report) -> None:
    assert soak.server_errors == 0, render(soak)


def test_every_reported_write_exists_exactly_once(soak: Report) -> None:
    assert soak.reported, render(soak)
    assert soak.exactly_once == len(soak.reported), render(soak)
    assert soak.duplicates == 0, render(soak)


def test_faults_struck_while_clients_ran(soak: Report) -> None:
    assert sum(soak.struck.values()) > 0, render(soak)
    assert soak.tally.outcomes["ok"] > 0, render(soak)
