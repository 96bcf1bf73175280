"""Positions of keys and values in a TOML document.

``tomllib`` gives values but no positions, and every load error must name ``file:line:col``. This
module walks a document that ``tomllib`` has already accepted and records, for every key path
(``("indicators", 3, "rule")``), the span of the key, the span of the value and, for strings, a
:class:`~kpirules.source.TextMap` from the decoded text back into the file. Because the document is
known to be valid TOML, the walk is lenient: it only has to find boundaries, not to validate.
"""

from __future__ import annotations

import attrs

from .source import TextMap

Path = tuple[str | int, ...]

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}
_MAX_DEPTH = 64


@attrs.frozen
class Span:
    """Where a key path sits: the key (or table header) and the value, as file offsets."""

    key_start: int
    key_end: int
    value_start: int
    value_end: int
    text: TextMap | None = None


class _Scanner:
    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0
        self.spans: dict[Path, Span] = {}
        self.array_counts: dict[Path, int] = {}

    # -- low-level ----------------------------------------------------------------------------
    def peek(self, n: int = 0) -> str:
        j = self.i + n
        return self.src[j] if j < len(self.src) else ""

    def skip_space(self, newlines: bool) -> None:
        src, n = self.src, len(self.src)
        while self.i < n:
            c = src[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#" and newlines:
                while self.i < n and src[self.i] != "\n":
                    self.i += 1
            else:
                return

    def skip_line(self) -> None:
        j = self.src.find("\n", self.i)
        self.i = len(self.src) if j < 0 else j + 1

    # -- keys ---------------------------------------------------------------------------------
    def key(self) -> list[tuple[str, int, int]]:
        """A dotted key: its segments with their spans."""
        segments: list[tuple[str, int, int]] = []
        while True:
            self.skip_space(False)
            start = self.i
            c = self.peek()
            if c in "\"'":
                text, _ = self.string()
            else:
                while self.peek() in _BARE_KEY and self.peek():
                    self.i += 1
                text = self.src[start : self.i]
            segments.append((text, start, self.i))
            self.skip_space(False)
            if self.peek() == ".":
                self.i += 1
                continue
            return segments

    # -- strings ------------------------------------------------------------------------------
    def string(self) -> tuple[str, TextMap]:
        src = self.src
        if src.startswith('"""', self.i) or src.startswith("'''", self.i):
            return self.multiline(src[self.i])
        quote = src[self.i]
        self.i += 1
        if quote == "'":
            start = self.i
            end = src.index("'", start)
            self.i = end + 1
            return src[start:end], TextMap(start)
        chars: list[str] = []
        offsets: list[int] = []
        escaped = False
        while src[self.i] != '"':
            if src[self.i] == "\\":
                escaped = True
                offsets.append(self.i)
                chars.append(self.escape())
            else:
                offsets.append(self.i)
                chars.append(src[self.i])
                self.i += 1
        offsets.append(self.i)
        self.i += 1
        text = "".join(chars)
        return text, (TextMap(offsets[0], tuple(offsets)) if escaped else TextMap(offsets[0]))

    def escape(self) -> str:
        src = self.src
        kind = src[self.i + 1]
        if kind in "uU":
            width = 4 if kind == "u" else 8
            code = int(src[self.i + 2 : self.i + 2 + width], 16)
            self.i += 2 + width
            return chr(code)
        if kind == "x":
            code = int(src[self.i + 2 : self.i + 4], 16)
            self.i += 4
            return chr(code)
        self.i += 2
        return _ESCAPES.get(kind, kind)

    def multiline(self, quote: str) -> tuple[str, TextMap]:
        src = self.src
        self.i += 3
        if src.startswith("\r\n", self.i):
            self.i += 2
        elif src.startswith("\n", self.i):
            self.i += 1
        chars: list[str] = []
        offsets: list[int] = []
        while True:
            if src.startswith(quote * 3, self.i):
                run = 3
                while self.peek(run) == quote and run < 5:
                    run += 1
                for k in range(run - 3):
                    offsets.append(self.i + k)
                    chars.append(quote)
                offsets.append(self.i + run - 3)
                self.i += run
                return "".join(chars), TextMap(offsets[0], tuple(offsets))
            c = src[self.i]
            if quote == '"' and c == "\\":
                j = self.i + 1
                while j < len(src) and src[j] in " \t\r":
                    j += 1
                if j < len(src) and src[j] == "\n":  # line-ending backslash: trim whitespace
                    self.i = j
                    while self.peek() in " \t\r\n" and self.peek():
                        self.i += 1
                    continue
                offsets.append(self.i)
                chars.append(self.escape())
                continue
            if c == "\r" and self.peek(1) == "\n":
                self.i += 1
                continue
            offsets.append(self.i)
            chars.append(c)
            self.i += 1

    # -- values -------------------------------------------------------------------------------
    def value(self, path: Path, key_start: int, key_end: int, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise RecursionError("TOML nested too deeply")
        start = self.i
        c = self.peek()
        text_map: TextMap | None = None
        if c in "\"'":
            _, text_map = self.string()
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_space(True)
                if self.peek() == "]":
                    self.i += 1
                    break
                here = self.i
                self.value((*path, index), here, here, depth + 1)
                index += 1
                self.skip_space(True)
                if self.peek() == ",":
                    self.i += 1
        elif c == "{":
            self.i += 1
            while True:
                self.skip_space(False)
                if self.peek() == "}":
                    self.i += 1
                    break
                segments = self.key()
                self.i += 1  # '='
                self.skip_space(False)
                inner = (*path, *(s for s, _, _ in segments))
                self.value(inner, segments[-1][1], segments[-1][2], depth + 1)
                self.skip_space(False)
                if self.peek() == ",":
                    self.i += 1
        else:
            src, n = self.src, len(self.src)
            while self.i < n and src[self.i] not in ",]}\n#":
                self.i += 1
            while self.i > start and src[self.i - 1] in " \t\r":
                self.i -= 1
        self.spans[path] = Span(key_start, key_end, start, self.i, text_map)

    # -- document -----------------------------------------------------------------------------
    def resolve(self, names: list[str]) -> Path:
        path: list[str | int] = []
        for name in names:
            path.append(name)
            count = self.array_counts.get(tuple(path))
            if count is not None:
                path.append(count)
        return tuple(path)

    def document(self) -> dict[Path, Span]:
        src = self.src
        table: Path = ()
        while True:
            self.skip_space(True)
            if self.i >= len(src):
                return self.spans
            start = self.i
            if src.startswith("[[", self.i):
                self.i += 2
                segments = self.key()
                self.i += 2
                parent = self.resolve([s for s, _, _ in segments[:-1]])
                array = (*parent, segments[-1][0])
                index = self.array_counts.get(array, -1) + 1
                self.array_counts[array] = index
                table = (*array, index)
                self.spans[table] = Span(start, self.i, start, self.i)
            elif src[self.i] == "[":
                self.i += 1
                segments = self.key()
                self.i += 1
                table = self.resolve([s for s, _, _ in segments])
                self.spans[table] = Span(start, self.i, start, self.i)
            else:
                segments = self.key()
                self.i += 1  # '='
                self.skip_space(False)
                path = (*table, *(s for s, _, _ in segments))
                self.value(path, segments[-1][1], segments[-1][2], 0)
            self.skip_space(False)
            self.skip_line()


def scan(text: str) -> dict[Path, Span]:
    """Spans of every key path of a document that ``tomllib`` accepted."""
    return _Scanner(text).document()
