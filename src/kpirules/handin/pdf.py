"""The report printed to PDF by headless Chromium, as a reader's browser prints it: A4 (the
page's ``@page`` rule), backgrounds kept, without the browser's own header and footer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .browser import Browser, find_chromium


def print_pdf(html_text: str, *, executable: str | None = None, timeout: float | None = None) -> bytes:
    """The PDF of the page ``html_text``. Raises :class:`~.browser.BrowserError` when Chromium
    fails or takes longer than ``timeout`` seconds for a step (default: a minute, and half a
    minute more for each megabyte of the page: a report of 1,000 units is some 8 MB, 2,000
    pages), and FileNotFoundError when there is none (:func:`~.browser.find_chromium`)."""
    if timeout is None:
        timeout = 60.0 + 30.0 * len(html_text) / 1e6
    chromium = executable or find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium")
    with tempfile.TemporaryDirectory(prefix="kpirules-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html_text, "utf-8")
        with Browser(chromium, timeout=timeout) as browser:
            browser.open(page.as_uri())
            return browser.print_pdf()
