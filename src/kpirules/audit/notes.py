"""What a table's own words say about a row: a 备注 or quote that gives a printed 0 its reason
("未按时公开，不得分") makes the 0 a deliberate deduction, not a slip of the pen."""

from __future__ import annotations

import re
import unicodedata

#: Words that say a row earned nothing: 不得分, 不计分, 得0分, 计 0 分, 扣完, 全部扣除, 零分 …
_ZERO = re.compile(
    r"不得分|不计分|不予计分|不给分|未得分|零分|得分为[0零](?![\d.])|(?<![\d.])0\s*分"
    r"|扣完|扣光|扣除全部|全部扣除|全扣|扣满|分值全扣"
    r"|\bno (?:points|score)\b|\b(?:0|zero) points?\b|\bscores? (?:0|zero|nothing)\b|\bscored (?:0|zero|nothing)\b",
    re.IGNORECASE,
)


def zero_reason(note: str | None) -> str | None:
    """``note`` (cut to its first 200 characters) if it says the row earned nothing, else None.

    >>> zero_reason("未按时公开，不得分")
    '未按时公开，不得分'
    >>> zero_reason("按时公开，得10分") is None
    True
    >>> zero_reason("not published on time: 0 points")
    'not published on time: 0 points'
    """
    if not note:
        return None
    text = " ".join(note.split())
    if not _ZERO.search(unicodedata.normalize("NFKC", text)):
        return None
    return text if len(text) <= 200 else text[:199] + "…"
