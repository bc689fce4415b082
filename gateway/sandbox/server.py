"""Running the sandbox: blocking in the foreground, or in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from .app import create_app


def serve(
    host: str = "127.0.0.1",
    port: int = 12111,
    seed: str | None = "demo",
    latency_ms: float = 0.0,
) -> None:
    """Serve until interrupted. Loopback by default: the sandbox has no auth
    worth the name and must not be reachable from other machines."""
    app = create_app(seed=seed, latency_ms=latency_ms)
    print(f"Stripe sandbox listening on http://{host}:{port}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@dataclass
class SandboxThread:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_in_thread(
    port: int = 0, seed: str | None = "demo", latency_ms: float = 0.0
) -> SandboxThread:
    """Start a sandbox on a loopback port and return once it accepts connections."""
    port = port or _free_port()
    app = create_app(seed=seed, latency_ms=latency_ms)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="stripe-sandbox", daemon=True)
    thread.start()
    _wait_until_listening(server, thread)
    return SandboxThread(f"http://127.0.0.1:{port}", server, thread)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Stripe sandbox did not start")
        time.sleep(0.01)
