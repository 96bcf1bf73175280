"""Diagnostics in every format ``kpirules lint --format`` offers: text and concise lines (from
:mod:`.text`), JSON, SARIF 2.1.0 (each rule with its page) and GitHub workflow commands."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from .._version import __version__
from .catalog import BY_CODE, RULES
from .diagnostics import Diagnostic
from .pages import page
from .text import M, concise, text, witness_values

FORMATS = ("text", "concise", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(diagnostics: Sequence[Diagnostic], fmt: str, *, files: int = 1, fixed: int = 0) -> str:
    if fmt == "text":
        return text(diagnostics, files=files, fixed=fixed)
    if fmt == "concise":
        return concise(diagnostics, files=files, fixed=fixed)
    if fmt == "json":
        return as_json(diagnostics, files=files)
    if fmt == "sarif":
        return sarif(diagnostics)
    if fmt == "github":
        return github(diagnostics)
    raise ValueError(f"unknown format {fmt!r}")


def as_json(diagnostics: Sequence[Diagnostic], *, files: int = 1) -> str:
    payload = {
        "version": 1,
        "tool": "kpirules",
        "diagnostics": [d.to_dict() for d in diagnostics],
        "summary": {
            "files": files,
            "errors": sum(1 for d in diagnostics if d.severity == "error"),
            "warnings": sum(1 for d in diagnostics if d.severity == "warning"),
            "infos": sum(1 for d in diagnostics if d.severity == "info"),
            "fixable": sum(1 for d in diagnostics if d.fixable),
        },
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _region(line: int, column: int, end_line: int | None, end_column: int | None) -> dict[str, int]:
    region = {"startLine": line, "startColumn": column}
    if end_line is not None and end_column is not None and (end_line, end_column) > (line, column):
        region["endLine"] = end_line
        region["endColumn"] = end_column
    return region


def sarif(diagnostics: Sequence[Diagnostic]) -> str:
    """A SARIF 2.1.0 log: one run, a rule descriptor per code, one result per diagnostic."""
    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary, "markdown": page(rule.code)},
            "help": {"text": rule.summary, "markdown": page(rule.code)},
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"category": rule.category, "fixable": rule.fixable},
        }
        for rule in RULES
    ]
    results = []
    for d in diagnostics:
        message = d.message + ("\n" + M("help", help=d.help) if d.help else "")
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(d.file)},
                        "region": _region(d.line, d.column, d.end_line, d.end_column),
                    }
                }
            ],
            "partialFingerprints": {"kpirules/v1": _fingerprint(d)},
        }
        if d.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "message": {"text": rel.message},
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(d.file)},
                        "region": _region(rel.line, rel.column, rel.end_line, rel.end_column),
                    },
                }
                for i, rel in enumerate(d.related)
            ]
        if d.fix is not None:
            result["fixes"] = [
                {
                    "description": {"text": d.fix.message},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": _uri(d.file)},
                            "replacements": [
                                {
                                    "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
                                    "insertedContent": {"text": e.text},
                                }
                                for e in d.fix.edits
                            ],
                        }
                    ],
                }
            ]
        props: dict[str, Any] = {}
        if d.witness:
            props["witness"] = d.witness
        if d.indicator:
            props["indicator"] = d.indicator
        if props:
            result["properties"] = props
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kpirules",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/:")


def _fingerprint(d: Diagnostic) -> str:
    """The same finding's fingerprint in every language (the message is not in it, as it is said in
    the current language): its code, file, indicator, line as written (indentation aside), place in
    that line and witness."""
    line = d.source_line or ""
    at = d.column - (len(line) - len(line.lstrip()))
    witness = "\0".join(f"{k}={v}" for k, v in sorted((d.witness or {}).items()))
    key = f"{d.code}\0{d.file}\0{d.indicator or ''}\0{line.strip()}\0{at}\0{witness}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for d in diagnostics:
        props = [
            f"title={_escape_property(f'kpirules ({d.code})')}",
            f"file={_escape_property(d.file)}",
            f"line={d.line}",
            f"col={d.column}",
        ]
        if d.end_line is not None and d.end_column is not None:
            props += [f"endLine={d.end_line}", f"endColumn={d.end_column}"]
        message = f"{d.file}:{d.line}:{d.column}: {d.code} {d.message}"
        if d.witness:
            message += M("github_witness", values=witness_values(d.witness))
        lines.append(f"::{kinds[d.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


__all__ = ["BY_CODE", "FORMATS", "render"]
