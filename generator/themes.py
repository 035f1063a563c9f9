"""The theme chain: site templates/ > themes/<name>/ > the built-in default theme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import generator
from generator.model import OutputFile
from generator.tree import files, hidden

if TYPE_CHECKING:  # Jinja loads when a build renders: a no-change build never does
    import jinja2
    from markupsafe import Markup

_PACKAGE = Path(generator.__file__).parent


def default_theme_dir() -> Path:
    """The built-in theme: shipped inside the wheel, or at the repository root when editable."""
    shipped = _PACKAGE / "_themes" / "default"
    return shipped if shipped.is_dir() else _PACKAGE.parent / "themes" / "default"


def theme_dirs(site_dir: Path, theme: str) -> list[Path]:
    """Theme folders from most to least specific (site overrides first)."""
    dirs = []
    if theme != "default":
        dirs.append(site_dir / "themes" / theme)
    dirs.append(default_theme_dir())
    return dirs


def template_dirs(site_dir: Path, theme: str) -> list[Path]:
    """Template search path: the site's templates/ first, then each theme's templates/."""
    return [site_dir / "templates"] + [d / "templates" for d in theme_dirs(site_dir, theme)]


def static_dirs(site_dir: Path, theme: str) -> list[Path]:
    """Static folders from least to most specific, so later ones override earlier files."""
    return [d / "static" for d in reversed(theme_dirs(site_dir, theme))] + [site_dir / "static"]


def make_environment(site_dir: Path, theme: str) -> jinja2.Environment:
    """Jinja2 with autoescape and StrictUndefined: a typo in a template is an error, not blank output."""
    import jinja2

    from generator.escaping import EscapingCodeGenerator

    loader = jinja2.FileSystemLoader([str(d) for d in template_dirs(site_dir, theme) if d.is_dir()])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False)  # one build never edits templates: no stat per page
    env.code_generator_class = EscapingCodeGenerator  # the same escaping, faster (generator/escaping.py)
    env.filters["math"] = inline_math
    return env


def inline_math(text: str) -> str | Markup:
    """`{{ tag.name|math }}`: a short plain text (a tag) with its $TeX$ as MathML, escaped otherwise."""
    from markupsafe import Markup

    from generator.markup import render_inline  # Markdown and TeX load only when a build renders

    return Markup(render_inline(text)) if "$" in text else text


def static_files(site_dir: Path, theme: str) -> list[OutputFile]:
    """Static assets under static/, the site's own overriding the theme's of the same name."""
    chosen: dict[str, Path] = {}
    for folder in static_dirs(site_dir, theme):
        for rel in files(folder, prune=hidden):
            chosen[rel] = folder / rel
    return [OutputFile(f"static/{rel}", chosen[rel].read_bytes()) for rel in sorted(chosen)]
