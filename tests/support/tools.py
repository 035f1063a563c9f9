"""Deciding what a test does when a tool it needs is missing.

On a developer's machine a missing tool (Chromium, Java, ``node_modules``) skips
the test, with a message saying what to install. In CI (the ``CI`` environment
variable is set, as GitHub Actions and ``.ci/run``'s runner do) the same gap is
a failure: CI installs every tool, so a missing one means a broken setup, and a
silently skipped check would look like a passing one.
"""

from __future__ import annotations

import os

import pytest

_FALSE_VALUES = {"", "0", "false", "no", "off"}


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set to a true-ish value."""
    return os.environ.get("CI", "").strip().lower() not in _FALSE_VALUES


def require_tool(available: bool, name: str, hint: str = "") -> None:
    """Skip (locally) or fail (in CI) the calling test when a tool is missing.

    ``available`` is the result of a check such as ``chromium_available()``;
    ``name`` says what is missing, ``hint`` how to get it. Call it at the top of
    a test or inside a fixture. Does nothing when ``available`` is true.
    """
    if available:
        return
    message = f"{name} is not available"
    if hint:
        message += f" ({hint})"
    if in_ci():
        pytest.fail(f"{message}; CI is set, so a missing tool is a failure", pytrace=False)
    pytest.skip(message)
