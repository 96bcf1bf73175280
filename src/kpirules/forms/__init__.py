"""The scoring forms of the rule language, one module each (see :mod:`kpirules.forms.base`).

:data:`FORMS` maps each form's tree node to the form; :data:`STEPS` maps each trace record to the
form that explains it. Every module of this package but ``base`` defines one form, registered when
the package is imported: adding a form is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from ..ast import Node
from .base import Form

#: The form of each node type that is a scoring form.
FORMS: dict[type[Node], Form[Any]] = {}
#: The form that explains each kind of trace record.
STEPS: dict[type, Form[Any]] = {}
#: The modules that are not forms.
_SHARED = frozenset({"base", "bands"})


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _SHARED:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        form = module.FORM
        assert isinstance(form, Form), f"{module.__name__}.FORM is not a Form"
        FORMS[form.node] = form
        STEPS.update(dict.fromkeys(form.steps, form))


_register()

__all__ = ["FORMS", "STEPS", "Form"]
