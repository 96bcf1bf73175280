"""The report printed to PDF by headless Chromium, as a reader's browser prints it: A4 (the
page's ``@page`` rule), backgrounds kept, without the browser's own header and footer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .browser import Browser, find_chromium


def print_pdf(html_text: str, *, executable: str | None = None, timeout: float = 120.0) -> bytes:
    """The PDF of the page ``html_text``. Raises :class:`~.browser.BrowserError` when Chromium
    fails, and FileNotFoundError when there is none (:func:`~.browser.find_chromium`)."""
    chromium = executable or find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium")
    with tempfile.TemporaryDirectory(prefix="kpirules-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html_text, "utf-8")
        with Browser(chromium, timeout=timeout) as browser:
            browser.open(page.as_uri())
            return browser.print_pdf()
