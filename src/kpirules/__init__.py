"""kpirules: performance-scoring standards as executable, explainable, exact rules.

>>> import kpirules
>>> rs = kpirules.loads('''
... [ruleset]
... id = "demo"
... [measures.rate]
... type = "rate"
... [[indicators]]
... id = "execution"
... weight = 10
... measure = "rate"
... rule = "deduct 0.5 pts per 1% below 95%"
... ''')
>>> rs.evaluate({"rate": "90%"})["execution"].score
Decimal('7.50')
"""

from .errors import (
    EvaluationError,
    KpiRulesError,
    Location,
    RulesetError,
    RuleSyntaxError,
    RuleTypeError,
    ValuesError,
)
from .loader import load, loads
from .parser import parse_rule
from .result import IndicatorResult, Result
from .ruleset import Ruleset

__version__ = "0.1.0"

__all__ = [
    "EvaluationError",
    "IndicatorResult",
    "KpiRulesError",
    "Location",
    "Result",
    "RuleSyntaxError",
    "RuleTypeError",
    "Ruleset",
    "RulesetError",
    "ValuesError",
    "__version__",
    "load",
    "loads",
    "parse_rule",
]
