"""Headless Chromium, driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``):
no port, no websocket, nothing but the standard library.

Chromium reads commands from its file descriptor 3 and writes answers and events to its file
descriptor 4, each message a JSON object ended by a NUL byte. :class:`Browser` opens a page,
collects what the page says on its console and the errors it throws, evaluates JavaScript in it,
takes a screenshot and prints it to PDF. ``kpirules report -o report.pdf`` prints through it; the
tests open reports in it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from queue import Empty, Queue
from typing import Any

#: The names Chromium goes by on PATH, in the order they are tried.
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: A variable that names the browser to use, before PATH is searched.
ENVIRONMENT = "KPIRULES_CHROMIUM"


def find_chromium() -> str | None:
    """The Chromium to use: ``$KPIRULES_CHROMIUM`` when it names a program, else the first of
    :data:`NAMES` on PATH, else None."""
    chosen = os.environ.get(ENVIRONMENT, "").strip()
    if chosen:
        found = shutil.which(chosen)
        if found:
            return found
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(Exception):
    """Chromium could not be started, or did not answer in time; the message says why."""


class Browser:
    """One headless Chromium with one page, used as a context manager:

    .. code-block:: python


        with Browser(path) as browser:
            browser.open(Path("report.html").resolve().as_uri())
            text = browser.evaluate("document.body.innerText")
            pdf = browser.print_pdf()
    """

    def __init__(self, executable: str, *, timeout: float = 60.0, width: int = 1200, height: int = 900) -> None:
        self.executable = executable
        self.timeout = timeout
        self.width, self.height = width, height
        self.console: list[tuple[str, str]] = []  # (level, text) of console messages and log entries
        self.exceptions: list[str] = []  # uncaught errors thrown by the page's scripts
        self._next = 0
        self._messages: Queue[dict[str, Any] | None] = Queue()
        self._events: list[dict[str, Any]] = []
        self._session: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None

    # ---- the process ----------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self._profile = tempfile.TemporaryDirectory(prefix="kpirules-chromium-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        args = [
            self.executable,
            "--headless",
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile.name}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-dev-shm-usage",  # a container's /dev/shm is often too small
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--mute-audio",
            "--hide-scrollbars",
            f"--window-size={self.width},{self.height}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        args.append("about:blank")

        def fds() -> None:  # in the child: the pipe's ends as descriptors 3 and 4, kept across exec
            reads, writes = os.dup(to_browser_r), os.dup(from_browser_w)  # above 4: dup2 cannot clobber them
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        try:
            self._process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=fds,  # only dup2 runs there, before exec
                close_fds=False,  # or descriptors 3 and 4 would be closed after fds(); Python's own are not inherited
            )
        except OSError as err:
            for fd in (to_browser_r, to_browser_w, from_browser_r, from_browser_w):
                os.close(fd)
            self._profile.cleanup()
            raise BrowserError(f"{self.executable}: {err.strerror or err}") from None
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._write = os.fdopen(to_browser_w, "wb", buffering=0)
        reader = os.fdopen(from_browser_r, "rb", buffering=0)
        threading.Thread(target=self._read, args=(reader,), daemon=True).start()
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self._call(f"{domain}.enable")
            self._call(
                "Emulation.setDeviceMetricsOverride",
                {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            )
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_: object) -> None:
        process = self._process
        if process is not None:
            with contextlib.suppress(OSError, BrowserError):
                self._send("Browser.close", {}, session=None)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            self._process = None
        write = getattr(self, "_write", None)
        if write is not None:
            with contextlib.suppress(OSError):
                write.close()
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def _read(self, reader: Any) -> None:
        buffer = b""
        try:
            while True:
                chunk = reader.read(1 << 16)
                if not chunk:
                    break
                buffer += chunk
                while b"\0" in buffer:
                    message, buffer = buffer.split(b"\0", 1)
                    self._messages.put(json.loads(message))
        except (OSError, ValueError):
            pass
        finally:
            self._messages.put(None)

    # ---- the protocol ---------------------------------------------------------------------
    def _send(self, method: str, params: Mapping[str, Any], *, session: str | None) -> int:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": dict(params)}
        if session is not None:
            message["sessionId"] = session
        self._write.write(json.dumps(message).encode("utf-8") + b"\0")
        return self._next

    def _take(self, deadline: float) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=max(deadline - time.monotonic(), 0.01))
        except Empty:
            raise BrowserError(f"Chromium did not answer within {self.timeout:g} s") from None
        if message is None:
            raise BrowserError("Chromium closed the connection")
        if "method" in message:
            self._event(message)
        return message

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message["method"], message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", ()))
            self.console.append((str(params.get("type", "")), text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.exceptions.append(str(details.get("exception", {}).get("description") or details.get("text", "")))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console.append((str(entry.get("level", "")), str(entry.get("text", ""))))
        self._events.append(message)

    def _call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        number = self._send(method, params or {}, session=self._session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._take(deadline)
            if message.get("id") == number:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error'].get('message', message['error'])}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def _wait_for(self, method: str) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            for k, event in enumerate(self._events):
                if event.get("method") == method:
                    del self._events[: k + 1]
                    return
            self._take(deadline)

    # ---- what the callers use -------------------------------------------------------------
    def open(self, url: str) -> None:
        """Load ``url`` and wait until it has loaded (its scripts have run)."""
        self._events.clear()
        answer = self._call("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise BrowserError(f"{url}: {answer['errorText']}")
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able values only)."""
        answer = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression[:60]}: {answer['exceptionDetails'].get('text', '')}")
        return answer.get("result", {}).get("value")

    def screenshot(self, *, full_page: bool = True) -> bytes:
        """A PNG of the page: the whole page, or what the window shows."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self._call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        return base64.b64decode(self._call("Page.captureScreenshot", params)["data"])

    def print_pdf(self) -> bytes:
        """The page printed as the browser prints it, on the paper its print CSS asks for (A4),
        without the browser's own header and footer."""
        answer = self._call(
            "Page.printToPDF",
            {
                "printBackground": True,
                "preferCSSPageSize": True,
                "displayHeaderFooter": False,
                "paperWidth": 8.27,  # A4, where the page says nothing
                "paperHeight": 11.69,
            },
        )
        return base64.b64decode(answer["data"])

    def errors(self) -> list[str]:
        """The errors the page reported: console errors, failed loads and uncaught exceptions."""
        found = [text for level, text in self.console if level in ("error", "assert")]
        return found + self.exceptions
