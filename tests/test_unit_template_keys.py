"""depends.TemplateKeys: a page template's key follows its own source and those it uses, no other."""

from __future__ import annotations

import jinja2

from generator.depends import TemplateKeys

TEMPLATES = {
    "base.html": "<html>{% block main %}{% endblock %}</html>",
    "_icons.html": "{% macro icon(n) %}{{ n }}{% endmacro %}",
    "_card.html": '{% from "_icons.html" import icon %}{% macro card(v) %}{{ icon(v) }}{% endmacro %}',
    "paper.html": '{% extends "base.html" %}{% block main %}paper{% endblock %}',
    "list.html": '{% extends "base.html" %}{% from "_pagination.html" import pages %}{% block main %}{% endblock %}',
    "_pagination.html": "{% macro pages(p) %}{{ p }}{% endmacro %}",
    "404.html": '{% extends "base.html" %}',
}


def keys(**changes: str) -> dict[str, str]:
    env = jinja2.Environment(loader=jinja2.DictLoader({**TEMPLATES, **changes}))
    found = TemplateKeys(env)
    return {name: found(name) for name in ("paper.html", "list.html", "404.html")}


def test_a_template_edit_changes_the_keys_of_the_templates_using_it_only() -> None:
    before = keys()
    assert keys() == before  # deterministic
    after = keys(**{"paper.html": TEMPLATES["paper.html"] + "<!-- edit -->"})
    assert after["paper.html"] != before["paper.html"]
    assert after["list.html"] == before["list.html"] and after["404.html"] == before["404.html"]
    after = keys(**{"_pagination.html": "{% macro pages(p) %}[{{ p }}]{% endmacro %}"})
    assert [after[n] == before[n] for n in before] == [True, False, True]


def test_every_page_follows_base_and_the_cards() -> None:
    before = keys()
    for name in ("base.html", "_card.html", "_icons.html"):  # the cards' macros: loaded for every page
        after = keys(**{name: TEMPLATES[name] + " "})
        assert all(after[n] != before[n] for n in before), name


def test_a_template_named_by_a_variable_depends_on_every_template() -> None:
    before = keys(**{"404.html": "{% include which %}"})
    after = keys(**{"404.html": "{% include which %}", "list.html": TEMPLATES["list.html"] + " "})
    assert after["404.html"] != before["404.html"]


def test_a_missing_or_broken_template_still_has_a_key() -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({"a.html": "{% extends 'gone.html' %}", "b.html": "{% if %}"}))
    found = TemplateKeys(env, always=())
    assert found("a.html") != found("b.html") and len(found("gone.html")) == 32
