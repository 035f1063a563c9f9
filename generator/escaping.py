"""Autoescaping for the compiled templates: markupsafe's, without its Python-level constructor.

A page of the default theme escapes ~200 values (`{{ x }}` under autoescape compiles to
`escape(x)`). markupsafe 3's `escape` is Python around a C function and builds each result with
`Markup(...)`, whose `__new__` is Python too: at 10,000 papers that was a fifth of rendering.
`escape` below gives the same Markup, made with `str.__new__`; the templates' code generator
binds it in place of Jinja's (see make_environment in themes.py). Where markupsafe has no such
C function (2.x, whose `escape` is C already), Jinja's own is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import markupsafe
from jinja2.compiler import CodeGenerator
from jinja2.nodes import Template
from markupsafe import Markup


def _c_escape() -> Callable[[str], str] | None:
    """markupsafe 3's C core of escape() (str -> str), where it has one."""
    try:
        from markupsafe._speedups import _escape_inner
    except ImportError:  # pragma: no cover - no C speedups: nothing to gain
        return None
    return _escape_inner


_C_ESCAPE = _c_escape()
_escape_inner: Callable[[str], str] = _C_ESCAPE or (lambda text: str.__str__(markupsafe.escape(text)))
_new = str.__new__


def escape(value: Any, /) -> Markup:
    """markupsafe.escape(value): the same string, as Markup."""
    kind = type(value)
    if kind is str:
        return _new(Markup, _escape_inner(value))
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return _new(Markup, _escape_inner(str(value)))


class EscapingCodeGenerator(CodeGenerator):
    """Jinja's code generator, whose templates escape with `escape` above."""

    def visit_Template(self, node: Template, frame: Any = None) -> None:
        super().visit_Template(node, frame)
        if _C_ESCAPE is not None:
            # Module-level, after Jinja's own imports: the template's functions look it up when called.
            self.writeline("from generator.escaping import escape")
