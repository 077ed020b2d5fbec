"""The local commons the integration tests run against.

It is the real one (the handlers, workflows and emulators of ``npx hilum start``), started by
test/support/python-client-commons.ts with the repository's pinned Node and tsx: a temporary
data folder, free ports, synthetic studies published into an open and a restricted project,
release 1 cut. That script prints one line (``hilum-python-fixture {json}``: the API URL,
tokens, what it published), and stops the commons when its standard input closes, so the
commons ends with these tests even when their process is killed.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / "test" / "support" / "python-client-commons.ts"
NODE = REPO / "node_modules" / ".bin" / "node"
TSX = REPO / "node_modules" / "tsx" / "dist" / "cli.mjs"
READY_PREFIX = "hilum-python-fixture "
START_TIMEOUT_SECONDS = float(os.environ.get("HILUM_PYTHON_COMMONS_TIMEOUT", "240"))


class LocalCommons:
    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.log = tempfile.NamedTemporaryFile("w+", prefix="hilum-python-commons-", suffix=".log", delete=False)
        self.info: dict[str, Any] = {}

    def start(self) -> dict[str, Any]:
        if not FIXTURE.exists():
            raise unittest.SkipTest(f"not in the hilum repository ({FIXTURE} is missing): no local commons to test against")
        if not NODE.exists() or not TSX.exists():
            raise RuntimeError(f"{NODE} or {TSX} is missing: run `npm ci` in {REPO} first")
        self.process = subprocess.Popen(
            [str(NODE), str(TSX), str(FIXTURE)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,  # its own process group, so a stuck one can be ended whole
        )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain, args=(lines,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"the local commons did not start within {START_TIMEOUT_SECONDS:.0f} s\n{self.log_tail()}") from None
            if line is None:
                self.stop()
                raise RuntimeError(f"the local commons exited before it was ready\n{self.log_tail()}")
            if line.startswith(READY_PREFIX):
                self.info = json.loads(line[len(READY_PREFIX) :])
                return self.info

    def _drain(self, lines: "queue.Queue[str | None]") -> None:
        # The handlers log to stdout too: keep reading so that the pipe never fills and blocks them.
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            process.stdin.close()  # type: ignore[union-attr]
            process.wait(timeout=60)
        except (subprocess.TimeoutExpired, OSError):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)
                    process.wait(timeout=15)
                    break
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    continue

    def close(self) -> None:
        """Stops the commons and removes its log."""
        self.stop()
        self.log.close()
        os.unlink(self.log.name)

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as source:
            return "".join(source.readlines()[-lines:])
