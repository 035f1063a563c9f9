"""The `paperfeed` command: thin wrappers over the library, clean messages, exit codes 0/1/2."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

import click

from generator import __version__
from generator.build import build as build_site
from generator.build import load_site
from generator.errors import BuildError, ContentError

SITE_OPTION = click.option("--site", "site_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                           default=".", show_default=True, help="Folder holding paperfeed.yaml.")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def fail(error: Exception) -> NoReturn:
    """Print a user-facing error (never a traceback) and exit 1."""
    if isinstance(error, ContentError):
        for problem in error.problems:
            click.echo(str(problem), err=True)
        files = len({p.location.path for p in error.problems})
        click.echo(f"Error: {plural(len(error.problems), 'problem')} in {plural(files, 'file')}; "
                   "nothing was written.", err=True)
    else:
        click.echo(f"Error: {error}", err=True)
    sys.exit(1)


def _overrides(output: Path | None, base_url: str | None) -> dict[str, Any]:
    return {"output_dir": str(output) if output else None, "base_url": base_url}


@click.group()
@click.version_option(__version__, prog_name="paperfeed")
def main() -> None:
    """paperfeed: build a research-paper site and its feeds from YAML records."""


@main.command()
@SITE_OPTION
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--base-url", help="Absolute URL the site is served from (overrides the config).")
@click.option("--clean", is_flag=True, help="Write every file afresh.")
def build(site_dir: Path, output: Path | None, base_url: str | None, clean: bool) -> None:
    """Build the site into the output folder."""
    try:
        report = build_site(site_dir, _overrides(output, base_url), clean=clean)
    except (ContentError, BuildError) as error:
        fail(error)
    click.echo(report.summary())


@main.command()
@SITE_OPTION
def check(site_dir: Path) -> None:
    """Validate the config and every record; write nothing."""
    try:
        _, papers = load_site(site_dir)
    except ContentError as error:
        fail(error)
    click.echo(f"OK: {plural(len(papers), 'paper')}, no problems.")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Daily Papers", show_default=True, help="Site title.")
@click.option("--base-url", default="https://example.org/", show_default=True,
              help="Where the site will be served from.")
def init(directory: Path, title: str, base_url: str) -> None:
    """Create a new site: config, one sample paper and a deploy workflow."""
    from generator.newsite import create_site

    try:
        created = create_site(directory, title, base_url)
    except FileExistsError as error:
        fail(error)
    for path in created:
        click.echo(f"created {path}")
    click.echo(f"Next: cd {directory} && paperfeed build && paperfeed serve")


@main.command()
@SITE_OPTION
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
def serve(site_dir: Path, port: int, host: str) -> None:
    """Build, serve on http://127.0.0.1:PORT/ and rebuild when files change."""
    from generator.config import load_config
    from generator.serve import make_server, watch

    try:
        config = load_config(site_dir)
    except ContentError as error:
        fail(error)
    server = make_server(config.output_path, host, port)
    base_url = f"http://{host}:{server.server_address[1]}/"

    def rebuild() -> None:
        try:
            click.echo(build_site(site_dir, {"base_url": base_url}).summary())
        except (ContentError, BuildError) as error:
            for line in str(error).splitlines():
                click.echo(line, err=True)
            click.echo("Build failed; still serving the last good site.", err=True)

    rebuild()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(site_dir, config.output_path, rebuild, stop), daemon=True)
    watcher.start()
    click.echo(f"Serving {config.output_path} at {base_url} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
