"""Start the Stripe sandbox as a separate process for a test suite.

Every suite that talks to "Stripe" uses this: real HTTP to a real server in
its own process, the way the gateway reaches Stripe.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 20.0


@dataclass
class SandboxProcess:
    url: str
    process: subprocess.Popen[str]

    def requests(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/_sandbox/requests")
        response.raise_for_status()
        log: list[dict[str, Any]] = response.json()["requests"]
        return log

    def request_count(self) -> int:
        return len(self.requests())

    def reset_requests(self) -> None:
        httpx.delete(f"{self.url}/_sandbox/requests").raise_for_status()

    def create_account(self, seed: str = "none") -> dict[str, Any]:
        """A new account with its own objects: `{"id": ..., "secret_key": ...}`."""
        response = httpx.post(f"{self.url}/_sandbox/accounts", data={"seed": seed})
        response.raise_for_status()
        account: dict[str, Any] = response.json()
        return account

    def create_restricted_key(
        self, permissions: dict[str, str], account: str | None = None
    ) -> str:
        """An `rk_test_` key granting `permissions` (resource -> none/read/write)
        on `account`, or on the default account."""
        form = {f"permissions[{name}]": level for name, level in permissions.items()}
        if account is not None:
            form["account"] = account
        response = httpx.post(f"{self.url}/_sandbox/restricted_keys", data=form)
        response.raise_for_status()
        return str(response.json()["id"])

    def add_fault(
        self,
        path_prefix: str,
        after_apply_delay_ms: int,
        method: str | None = None,
        count: int = 1,
    ) -> None:
        """Delay the next `count` answers to matching /v1 requests by
        `after_apply_delay_ms`, after their writes are applied; cleared by
        `clear_faults`."""
        fault: dict[str, Any] = {
            "path_prefix": path_prefix,
            "after_apply_delay_ms": after_apply_delay_ms,
            "count": count,
        }
        if method is not None:
            fault["method"] = method
        httpx.post(f"{self.url}/_sandbox/faults", json=fault).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/_sandbox/faults").raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def start_sandbox(seed: str | None = "demo", latency_ms: float = 0) -> SandboxProcess:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gateway.sandbox",
        "--port",
        str(port),
        "--seed",
        seed or "none",
        "--latency-ms",
        str(latency_ms),
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sandbox = SandboxProcess(f"http://127.0.0.1:{port}", process)
    _wait_for_health(sandbox)
    return sandbox


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_health(sandbox: SandboxProcess) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if sandbox.process.poll() is not None:
            break
        try:
            if (
                httpx.get(f"{sandbox.url}/_sandbox/healthz", timeout=1).status_code
                == 200
            ):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    output = _drain(sandbox)
    raise RuntimeError(f"Stripe sandbox at {sandbox.url} did not start:\n{output}")


def _drain(sandbox: SandboxProcess) -> str:
    sandbox.stop() if sandbox.process.poll() is None else None
    stdout = sandbox.process.stdout
    return stdout.read() if stdout and not stdout.closed else ""
