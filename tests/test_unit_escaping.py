"""escaping.py: the templates' autoescape gives exactly markupsafe's Markup, and the theme uses it."""

from __future__ import annotations

from pathlib import Path

import markupsafe
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from generator import escaping
from generator.escaping import escape
from generator.themes import make_environment


class Html:
    """An object that renders itself (a value with __html__, as a template may be given)."""

    def __html__(self) -> str:
        return "<b>own</b>"


class Tagged(Markup):
    """A Markup subclass: escaped like any object with __html__."""


_TEXT = st.text(alphabet=st.sampled_from("<>&'\"ab é\u00a0\U0001d465\n"), max_size=40)
_VALUES = st.one_of(_TEXT, _TEXT.map(Markup), _TEXT.map(Tagged), st.integers(), st.floats(allow_nan=False),
                    st.none(), st.booleans(), st.just(Html()))


@settings(max_examples=2000, deadline=None)
@given(_VALUES)
def test_escape_is_markupsafes(value: object) -> None:
    ours, theirs = escape(value), markupsafe.escape(value)
    assert type(ours) is Markup
    assert str.__str__(ours) == str.__str__(theirs)


def test_templates_escape_with_it(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text("{{ x }}|{{ y }}|{{ n }}", encoding="utf-8")
    template = make_environment(tmp_path, "default").get_template("t.html")
    assert template.render(x="<a href='q'>&</a>", y=Markup("<i>kept</i>"), n=3) == (
        "&lt;a href=&#39;q&#39;&gt;&amp;&lt;/a&gt;|<i>kept</i>|3")
    # The compiled template's escape is this module's (not Jinja's, markupsafe's): a change of
    # Jinja's code generation that dropped it would fall back silently to the slower one.
    assert template.root_render_func.__globals__["escape"] is escaping.escape
