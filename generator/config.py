"""Site configuration: paperfeed.yaml read against the schema (config_schema.py), every key validated.

`paperfeed.yaml` is read with line numbers; unknown keys are errors (a typo
must not pass silently); every problem is collected before failing once.
Precedence: command-line flags > PAPERFEED_* environment variables > file.
Every caller imports from here: the schema's classes are re-exported.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from generator.config_schema import (
    FEED_FORMATS,
    ApiConfig,
    EmailConfig,
    FeedsConfig,
    LimitsConfig,
    SearchConfig,
    SiteConfig,
    TaxonomyConfig,
    email_address,
    location,
)
from generator.errors import ContentError, Problem, SourceLocation
from generator.yamlsrc import decode_source, line_of, mapping_items, parse_yaml

__all__ = ["CONFIG_NAME", "ENV_PREFIX", "FEED_FORMATS", "ApiConfig", "EmailConfig", "FeedsConfig", "LimitsConfig",
           "SearchConfig", "SiteConfig", "TaxonomyConfig", "config_template", "email_address",
           "load_config"]

CONFIG_NAME = "paperfeed.yaml"
ENV_PREFIX = "PAPERFEED_"


def load_config(site_dir: Path, overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> SiteConfig:
    """Read paperfeed.yaml (optional), apply env and flag overrides, validate everything."""
    path = site_dir / CONFIG_NAME
    shown = CONFIG_NAME
    raw: dict[str, Any] = {}
    node: yaml.Node | None = None
    problems: list[Problem] = []
    if path.is_file():
        text, problems = decode_source(path.read_bytes(), shown)
        if text is not None:
            doc, problems = parse_yaml(text, shown)
            if doc is not None and doc.value is not None:
                if not isinstance(doc.value, dict):
                    problems.append(Problem(SourceLocation(shown, 1), "", "expected a mapping of settings"))
                else:
                    raw, node = doc.value, doc.node
    if problems:
        raise ContentError(problems)
    raw = dict(raw)
    # A value from the environment or a flag is reported there, not at the file's line.
    origins: dict[str, SourceLocation] = {}
    for key, (value, name) in _env_overrides(environ if environ is not None else os.environ).items():
        raw[key], origins[key] = value, SourceLocation("$" + name)
    for key, value in (overrides or {}).items():
        if value is not None:
            raw[key], origins[key] = value, SourceLocation("command line")
    config, problems = _build(SiteConfig, raw, node, shown, "", origins)
    if problems:
        raise ContentError(problems)
    config = dataclasses.replace(config, site_dir=site_dir)
    _check_paths(config, origins.get("output_dir") or location(node, "output_dir", shown))
    return config


def _default(spec: dataclasses.Field[Any]) -> Any:
    return spec.default_factory() if spec.default_factory is not dataclasses.MISSING else spec.default


def _env_overrides(environ: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    """PAPERFEED_BASE_URL=... overrides base_url (sections such as `feeds` cannot be set this way)."""
    out: dict[str, tuple[Any, str]] = {}
    for f in dataclasses.fields(SiteConfig):
        name = ENV_PREFIX + f.name.upper()
        value = environ.get(name)
        if value is None or f.metadata.get("internal") or dataclasses.is_dataclass(_default(f)):
            continue
        whole = isinstance(_default(f), int) and re.fullmatch(r"\s*[+-]?\d+\s*", value)
        out[f.name] = (int(value) if whole else value, name)
    return out


def _build(cls: type, raw: dict[str, Any], node: yaml.Node | None, path: str, prefix: str,
           origins: Mapping[str, SourceLocation] | None = None) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    items = mapping_items(node) if node is not None else {}
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        value_node = items.get(str(key), (None, None))[1]
        where = (origins or {}).get(str(key)) or location(node, str(key), path)
        name = f"{prefix}{key}"
        spec = fields.get(str(key))
        if spec is None:
            problems.append(Problem(where, name, f"unknown setting; expected one of {', '.join(sorted(fields))}"))
            continue
        default = _default(spec)
        if dataclasses.is_dataclass(default):
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(Problem(where, name, f"expected a mapping, got {value!r}"))
                continue
            sub, subproblems = _build(type(default), value, value_node, path, name + ".")
            values[spec.name] = dataclasses.replace(default, **{
                k: getattr(sub, k) for k in value if k in {f.name for f in dataclasses.fields(sub)}})
            problems += subproblems
            continue
        if spec.metadata.get("items"):
            values[spec.name], subproblems = _build_list(spec.metadata["items"], value, value_node, where,
                                                         path, name)
            problems += subproblems
            continue
        try:
            values[spec.name] = spec.metadata["check"](value)
        except ValueError as exc:
            problems.append(Problem(where, name, str(exc)))
    return cls(**values), problems


def _build_list(items: tuple[type, Callable[..., list[Problem]]], raw: Any, node: yaml.Node | None,
                where: SourceLocation, path: str, name: str) -> tuple[tuple[Any, ...], list[Problem]]:
    """A list of mappings (`feeds.searches`): each item built and checked like a section, at its lines."""
    cls, check_all = items
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), [Problem(where, name, f"expected a list of mappings, got {raw!r}")]
    nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    built, problems = [], []
    for i, item in enumerate(raw):
        item_node = nodes[i] if i < len(nodes) else None
        item_where = SourceLocation(path, line_of(item_node)) if item_node is not None else where
        if not isinstance(item, dict):
            problems.append(Problem(item_where, f"{name}[{i}]", f"expected a mapping, got {item!r}"))
            continue
        value, subproblems = _build(cls, item, item_node, path, f"{name}[{i}].")
        missing = [f.name for f in dataclasses.fields(cls) if f.metadata.get("required") and f.name not in item]
        problems += subproblems + [Problem(item_where, f"{name}[{i}].{key}", "required setting is missing")
                                   for key in missing]
        if not subproblems and not missing:
            built.append(value)
    if not problems:
        problems += check_all(built, node, path, name)
    return tuple(built), problems


def _check_paths(config: SiteConfig, where: SourceLocation) -> None:
    """The output folder is replaced on every build: it must not hold the site or its inputs."""
    site = config.site_dir.resolve()
    out = config.output_path.resolve()
    inputs = [config.content_path.resolve()] + [site / name for name in ("templates", "themes", "static", ".git")]
    if out == site or out in site.parents or any(
            out == folder or out in folder.parents or folder in out.parents for folder in inputs):
        raise ContentError([Problem(where, "output_dir",
                                    f"{config.output_dir!r} would overwrite the site or its content; "
                                    "use a separate folder such as 'public'")])


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def _yaml_items(name: str, items: tuple[Any, ...], indent: str, comment: str) -> list[str]:
    """A list of mappings as block YAML (`comment` '# ' writes it commented out)."""
    lines = [f"{indent}{comment}{name}:"]
    for item in items:
        for i, f in enumerate(f for f in dataclasses.fields(item) if getattr(item, f.name) != f.default):
            lines.append(f"{indent}{comment}  {'- ' if i == 0 else '  '}{f.name}: "
                         f"{_yaml_scalar(getattr(item, f.name))}")
    return lines


def config_template(values: Mapping[str, Any] | None = None) -> str:
    """A paperfeed.yaml with every setting, its default and its meaning (for `paperfeed init`).

    `values` are the settings to write uncommented; a section's are a mapping under its name
    (`{"feeds": {"searches": (SearchConfig(...),)}}`).
    """
    values = values or {}
    lines = ["# paperfeed site configuration. Every setting is shown with its default;",
             "# flags (--base-url) and PAPERFEED_* environment variables override these.", ""]

    def emit(cls: type, instance: Any, indent: str, chosen: Mapping[str, Any]) -> None:
        for f in dataclasses.fields(cls):
            if f.metadata.get("internal"):
                continue
            value = getattr(instance, f.name)
            lines.append(f"{indent}# {f.metadata['doc']}")
            if dataclasses.is_dataclass(value):
                lines.append(f"{indent}{f.name}:")
                emit(type(value), value, indent + "  ", chosen.get(f.name, {}))
            elif f.metadata.get("items"):
                item_type = f.metadata["items"][0]
                lines.extend(f"{indent}#   {sub.name}: {sub.metadata['doc']}" for sub in dataclasses.fields(item_type))
                if f.name in chosen:
                    lines.extend(_yaml_items(f.name, tuple(chosen[f.name]), indent, ""))
                else:
                    lines.append(f"{indent}# {f.name}: {_yaml_scalar(value)}")
            elif f.name in chosen:
                lines.append(f"{indent}{f.name}: {_yaml_scalar(chosen[f.name])}")
            else:
                lines.append(f"{indent}# {f.name}: {_yaml_scalar(value)}")
    emit(SiteConfig, SiteConfig(), "", values)
    return "\n".join(lines) + "\n"
