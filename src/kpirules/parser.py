"""Rule text to rule tree: the Lark LALR parser, its layout postlexer, and friendly syntax errors.

The grammar is ``kpirules/grammar/kpirules.lark``, loaded from the installed package. The parser
is built once per process (and cached on disk by Lark), parses in linear time without recursion,
and the tree it yields is turned into :mod:`kpirules.ast` nodes carrying source spans.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from decimal import Context, Decimal
from importlib import resources
from typing import Any

import lark
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import ast
from .dates import DateProblem, parse_date
from .errors import RuleSyntaxError, close_matches
from .forms import FORMS
from .messages import Catalog
from .source import RuleSource

M = Catalog(
    "parser",
    {
        "too_long": (
            "评分规则长 {length} 个字符，超过了上限 {limit}",
            "rule is {length} characters long; the limit is {limit}",
        ),
        "hint_too_long": (
            "请把评分标准拆成几个指标，或简化评分规则",
            "split the standard into several indicators or simplify the rule",
        ),
        "too_deep": ("评分规则嵌套超过 {depth} 层", "rule nests more than {depth} levels deep"),
        "hint_too_deep": (
            "请简化评分规则；嵌套过深的规则不予接受",
            "simplify the rule; deeply nested rules are refused",
        ),
        "full_width": ("评分规则中有全角字符 '{char}'", "full-width '{char}' in a rule"),
        "hint_full_width": ("请改用半角字符 '{ascii}'", "write the ASCII '{ascii}' instead"),
        "unexpected_char": ("无法识别的字符 {char}", "unexpected character {char}"),
        "hint_together": (
            "数字和 {char} 之间不要留空格，如 95{char}",
            "write the number and the {char} together, as in 95{char}",
        ),
        "hint_space": ("请删除这个特殊的空白字符", "remove the unusual space character"),
        "hint_equals": ("比较请用 ==（单个 = 不是运算符）", "compare with == (a single = is not an operator)"),
        "ends_early": ("评分规则不完整，末尾还应有 {expected}", "the rule ends too early; expected {expected}"),
        "unexpected": ("此处不应出现 {shown}；应为 {expected}", "unexpected {shown}; expected {expected}"),
        "new_line": ("换行", "new line"),
        "hint_new_line": (
            "在 {braces} 中换行表示一档结束；如要续行，请在行末写运算符",
            "inside {braces} a new line ends a band; end a continued line with an operator",
        ),
        "not_keyword": (
            "'{word}' 不是关键字；是否应为 '{close}'？",
            "'{word}' is not a keyword; did you mean '{close}'?",
        ),
        # what the parser expected, in words (the quoted symbols and keywords stay as they are)
        "COMP_OP": ("比较符（>=、>、<=、<、==、!=）", "a comparison (>=, >, <=, <, ==, !=)"),
        "NAME": ("名称", "a name"),
        "NUMBER": ("数字", "a number"),
        "DATE": ("日期", "a date"),
        "PERCENT": ("百分数", "a percentage"),
        "PERMILLE": ("千分数", "a permille"),
        "POINTS": ("分数（如 2 pts）", "points (e.g. 2 pts)"),
        "STRING": ("带引号的标签", "a quoted label"),
        "_NL": ("换行", "a new line"),
        "$END": ("规则结尾", "the end of the rule"),
        "expression": ("表达式", "an expression"),
        "something_else": ("其他内容", "something else"),
        "sep": ("、", ", "),
        "or": ("{items} 或 {last}", "{items} or {last}"),
    },
)

#: Rules nested deeper than this are refused (they would exhaust Python's stack later on).
MAX_DEPTH = 200
#: Longest rule text accepted, in characters.
MAX_LENGTH = 100_000


def _keywords() -> frozenset[str]:
    """The words the grammar spells out (``"pass"``, ``"tiers"`` …), comments left aside."""
    text = re.sub(r"//[^\n]*", "", grammar_text())
    return frozenset(re.findall(r'"([a-z]+)"', text))


FULL_WIDTH = {
    "：": ":",
    "，": ",",
    "（": "(",
    "）": ")",
    "［": "[",
    "］": "]",
    "【": "[",
    "】": "]",
    "｛": "{",
    "｝": "}",
    "％": "%",
    "＜": "<",
    "＞": ">",
    "＝": "=",
    "！": "!",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "／": "/",
    "；": ",",
    "、": ",",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "．": ".",
    "＃": "#",
}

_OPENERS = frozenset({"LBRACE", "LPAR", "LSQB"})
_CLOSERS = frozenset({"RBRACE", "RPAR", "RSQB"})
# A newline after one of these, or before one of the second set, continues the line.
_CONTINUE_AFTER = frozenset(
    [
        "LBRACE",
        "COMMA",
        "COLON",
        "PLUS",
        "MINUS",
        "TIMES",
        "DIVIDE",
        "COMP_OP",
        "AND",
        "OR",
        "NOT",
        "IF",
        "THEN",
        "ELSE",
        "PER",
        "WHOLE",
        "STARTED",
        "BELOW",
        "ABOVE",
        "TO",
        "INVERSE",
        "BY",
        "DEDUCT",
    ]
)
_CONTINUE_AFTER |= {name for form in FORMS.values() for name in form.continue_after}

_CONTINUE_BEFORE = frozenset(
    [
        "RBRACE",
        "COMMA",
        "COLON",
        "PLUS",
        "MINUS",
        "TIMES",
        "DIVIDE",
        "AND",
        "OR",
        "THEN",
        "PER",
        "EACH",
        "BELOW",
        "ABOVE",
        "TO",
        "BY",
    ]
)
_CONTINUE_BEFORE |= {name for form in FORMS.values() for name in form.continue_before}


class _TooDeep(Exception):
    def __init__(self, token: Token) -> None:
        super().__init__()
        self.token = token


class _Layout(lark.lark.PostLex):
    """Newlines separate bands inside ``{ … }`` and are ignored everywhere else."""

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        stack: list[str] = []
        pending: Token | None = None
        prev: str | None = None
        for tok in stream:
            kind = tok.type
            if kind == "_NL":
                if stack and stack[-1] == "LBRACE" and prev not in _CONTINUE_AFTER:
                    pending = tok
                continue
            if pending is not None:
                if kind not in _CONTINUE_BEFORE:
                    yield pending
                pending = None
            if kind in _OPENERS:
                stack.append(kind)
                if len(stack) > MAX_DEPTH:
                    raise _TooDeep(tok)
            elif kind in _CLOSERS and stack:
                stack.pop()
            prev = kind
            yield tok


@functools.cache
def _lark() -> Lark:
    grammar = resources.files("kpirules").joinpath("grammar/kpirules.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="basic",
        postlex=_Layout(),
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,
    )


def grammar_text() -> str:
    """The grammar as shipped in the package."""
    return resources.files("kpirules").joinpath("grammar/kpirules.lark").read_text("utf-8")


#: The keywords of the rule language; none can name a measure.
KEYWORDS = _keywords()


# ---- tree building --------------------------------------------------------------------------
def _span(meta: Any) -> ast.Span:
    return ast.Span(meta.start_pos, meta.end_pos)


_OPS = {"≥": ">=", "≤": "<=", "≠": "!=", "×": "*", "÷": "/"}


_EXACT = Context(prec=60)  # literals never depend on the caller's decimal context


def _number(text: str) -> Decimal:
    return Decimal(text)


@v_args(meta=True, inline=True)
class _Build(Transformer[Token, ast.Expr]):
    # literals
    def number(self, meta: Any, tok: Token) -> ast.Number:
        return ast.Number(_span(meta), _number(tok), "", str(tok))

    def percent(self, meta: Any, tok: Token) -> ast.Number:
        return ast.Number(_span(meta), _number(tok[:-1]).scaleb(-2, context=_EXACT), "%", str(tok))

    def permille(self, meta: Any, tok: Token) -> ast.Number:
        return ast.Number(_span(meta), _number(tok[:-1]).scaleb(-3, context=_EXACT), "‰", str(tok))

    def date(self, meta: Any, tok: Token) -> ast.Date:
        try:
            day = parse_date(str(tok))
        except DateProblem as err:
            raise _BadDate(_span(meta), str(err), err.hint) from None
        return ast.Date(_span(meta), day, str(tok))

    def points(self, meta: Any, tok: Token) -> ast.Points:
        digits = str(tok).rstrip("pts分").rstrip()
        return ast.Points(_span(meta), _number(digits), str(tok))

    def string(self, meta: Any, tok: Token) -> ast.Text:
        return ast.Text(_span(meta), str(tok)[1:-1])

    def true(self, meta: Any) -> ast.Bool:
        return ast.Bool(_span(meta), True)

    def false(self, meta: Any) -> ast.Bool:
        return ast.Bool(_span(meta), False)

    def full(self, meta: Any) -> ast.Full:
        return ast.Full(_span(meta))

    def zero(self, meta: Any) -> ast.Zero:
        return ast.Zero(_span(meta))

    def value(self, meta: Any) -> ast.ValueRef:
        return ast.ValueRef(_span(meta))

    def name(self, meta: Any, tok: Token) -> ast.Name:
        return ast.Name(_span(meta), str(tok))

    def call(self, meta: Any, func: Token, *args: ast.Expr | None) -> ast.Call:
        # not used as such: forms/refs.py builds `call` (a reference for score/deduction/rule, else
        # this same ast.Call); a change here goes there too
        return ast.Call(_span(meta), str(func), tuple(a for a in args if a is not None))

    # operators
    def neg(self, meta: Any, _op: Token, operand: ast.Expr) -> ast.Neg:
        return ast.Neg(_span(meta), operand)

    def not_(self, meta: Any, operand: ast.Expr) -> ast.Not:
        return ast.Not(_span(meta), operand)

    def binary(self, meta: Any, left: ast.Expr, op: Token, right: ast.Expr) -> ast.BinOp:
        symbol = _OPS.get(str(op), str(op))
        return ast.BinOp(_span(meta), symbol, left, right)  # type: ignore[arg-type]

    def and_(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Logic:
        return ast.Logic(_span(meta), "and", left, right)

    def or_(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Logic:
        return ast.Logic(_span(meta), "or", left, right)

    def compare(self, meta: Any, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Compare:
        return ast.Compare(_span(meta), _OPS.get(str(op), str(op)), left, right)  # type: ignore[arg-type]

    def if_else(self, meta: Any, cond: ast.Expr, then: ast.Expr, orelse: ast.Expr) -> ast.IfElse:
        return ast.IfElse(_span(meta), cond, then, orelse)

    # forms


def _with_forms() -> _Build:
    """The tree builder, with each scoring form's builders (``kpirules.forms``) as its methods."""

    def method(build: Callable[..., ast.Node]) -> Callable[..., ast.Node]:
        return lambda self, meta, *children: build(_span(meta), *children)

    methods = {name: method(build) for form in FORMS.values() for name, build in form.builders.items()}
    builder = v_args(meta=True, inline=True)(type("_FormsBuild", (_Build,), methods))
    assert isinstance(builder, type) and issubclass(builder, _Build)
    return builder()


_BUILD = _with_forms()


def _depth(tree: Tree[Token]) -> int:
    """Height of a Lark tree, computed without recursion."""
    deepest = 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
    return deepest


def parse_rule(source: RuleSource | str) -> ast.Expr:
    """Parse one rule. Raises :class:`RuleSyntaxError` pointing into the rule (and its file)."""
    if isinstance(source, str):
        source = RuleSource(source)
    text = source.text
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(
            M("too_long", length=f"{len(text):,}", limit=f"{MAX_LENGTH:,}"),
            location=source.location(0),
            hint=M("hint_too_long"),
            code="KPI-E002",
        )
    try:
        tree = _lark().parse(text)
    except _TooDeep as deep:
        raise _too_deep(source, deep.token.start_pos or 0) from None
    except UnexpectedInput as err:
        raise _syntax_error(source, err) from None
    if _depth(tree) > MAX_DEPTH:
        raise _too_deep(source, 0)
    try:
        result: ast.Expr = _BUILD.transform(tree)
    except VisitError as err:
        bad = err.orig_exc
        if not isinstance(bad, _BadDate):
            raise
        location = source.location(bad.span.start, bad.span.end)
        raise RuleSyntaxError(str(bad), location=location, hint=bad.hint, code="KPI-E002") from None
    return result


class _BadDate(Exception):
    """A date literal that names no day of the calendar (``2021-02-30``)."""

    def __init__(self, span: ast.Span, message: str, hint: str | None) -> None:
        super().__init__(message)
        self.span = span
        self.hint = hint


def _too_deep(source: RuleSource, offset: int) -> RuleSyntaxError:
    return RuleSyntaxError(
        M("too_deep", depth=MAX_DEPTH),
        location=source.location(offset),
        hint=M("hint_too_deep"),
        code="KPI-E002",
    )


# ---- syntax errors --------------------------------------------------------------------------
#: Terminals shown as they are written; the others are said in words (:data:`M`).
_TERMINAL_SYMBOLS = {
    "COLON": "':'",
    "COMMA": "','",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "TIMES": "'*'",
    "DIVIDE": "'/'",
}
_TERMINAL_WORDS = frozenset(
    {"COMP_OP", "NAME", "NUMBER", "DATE", "PERCENT", "PERMILLE", "POINTS", "STRING", "_NL", "$END"}
)
_EXPRESSION_STARTS = {"NUMBER", "PERCENT", "NAME", "POINTS", "FULL", "ZERO", "VALUE", "LPAR"}


def _describe(expected: set[str]) -> str:
    names: list[str] = []
    pending = set(expected)
    if pending >= _EXPRESSION_STARTS:
        names.append(M("expression"))
        pending -= _EXPRESSION_STARTS | {
            "DATE",
            "PERMILLE",
            "STRING",
            "TRUE",
            "FALSE",
            "MINUS",
            "NOT",
            "IF",
            "PASS",
            "PROPORTIONAL",
            "TIERS",
            "DEDUCT",
            "CHECKLIST",
            "GRADE",
        }
    for term in sorted(pending):
        if term in _TERMINAL_WORDS:
            names.append(M(term))
        elif term in _TERMINAL_SYMBOLS:
            names.append(_TERMINAL_SYMBOLS[term])
        elif term.isalpha():
            names.append(f"'{term.lower()}'")
        else:
            names.append(term)
    if not names:
        return M("something_else")
    if len(names) == 1:
        return names[0]
    return M("or", items=M("sep").join(names[:-1]), last=names[-1])


def _syntax_error(source: RuleSource, err: UnexpectedInput) -> RuleSyntaxError:
    text = source.text
    pos = err.pos_in_stream or 0
    hint: str | None = None
    if isinstance(err, UnexpectedCharacters):
        char = text[pos] if pos < len(text) else ""
        if char in FULL_WIDTH:
            ascii_char = FULL_WIDTH[char]
            return RuleSyntaxError(
                M("full_width", char=char),
                location=source.location(pos, pos + 1),
                hint=M("hint_full_width", ascii=ascii_char),
                code="KPI-X401",
            )
        message = M("unexpected_char", char=repr(char))
        if char in "%‰" and pos > 0 and text[pos - 1].isspace():
            hint = M("hint_together", char=char)
        elif char.isspace():
            hint = M("hint_space")
        elif char == "=" and text[pos : pos + 2] != "==":
            hint = M("hint_equals")
        return RuleSyntaxError(message, location=source.location(pos, pos + 1), hint=hint, code="KPI-E002")
    if isinstance(err, UnexpectedEOF):
        expected: set[str] = {str(t) for t in err.expected}
        return RuleSyntaxError(
            M("ends_early", expected=_describe(expected)),
            location=source.location(len(text.rstrip())),
            code="KPI-E002",
        )
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    expected = {str(t) for t in err.accepts or err.expected if not str(t).startswith("__")}
    if tok.type == "$END":
        return RuleSyntaxError(
            M("ends_early", expected=_describe(expected)),
            location=source.location(len(text.rstrip())),
            code="KPI-E002",
        )
    shown = M("new_line") if tok.type == "_NL" else repr(str(tok))
    start, end = tok.start_pos or 0, tok.end_pos or (tok.start_pos or 0) + 1
    suggestion = _keyword_suggestion(text, tok)
    if suggestion:
        hint = suggestion
    elif tok.type == "_NL":
        hint = M("hint_new_line", braces="{ … }")
    return RuleSyntaxError(
        M("unexpected", shown=shown, expected=_describe(expected)),
        location=source.location(start, end),
        hint=hint,
        code="KPI-E002",
    )


def _keyword_suggestion(text: str, tok: Token) -> str | None:
    """``proportinal to 95%`` → did you mean ``proportional``? (the word at or before the error)"""
    start = tok.start_pos or 0
    before = re.search(r"([^\W\d]\w*)\s*$", text[:start])
    candidates = [str(tok)] + ([before.group(1)] if before else [])
    for word in candidates:
        if word in KEYWORDS or not word.isidentifier():
            continue
        close = close_matches(word, sorted(KEYWORDS), n=1, cutoff=0.75)
        if close:
            return M("not_keyword", word=word, close=close[0])
    return None
