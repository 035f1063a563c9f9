"""The `paperfeed` command: thin wrappers over the library, clean messages, exit codes 0/1/2."""

from __future__ import annotations

import os
import sys
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
@click.option("--clean", is_flag=True,
              help="Ignore the cache and the previous output: make and write every file afresh.")
@click.option("--jobs", type=click.IntRange(1), help="Processes that render (default: one per core).")
@click.option("--profile", is_flag=True, help="Print where the time went, stage by stage.")
def build(site_dir: Path, output: Path | None, base_url: str | None, clean: bool, jobs: int | None,
          profile: bool) -> None:
    """Build the site into the output folder."""
    from generator.progress import progress_for
    from generator.timing import StageTimer

    timer = StageTimer(per_item=profile)
    try:
        report = build_site(site_dir, _overrides(output, base_url), clean=clean, jobs=jobs,
                            progress=progress_for(), timer=timer)
    except (ContentError, BuildError) as error:
        fail(error)
    except OSError as error:  # outside the writer (which names the output): reading the site, say
        from generator.writer import describe

        fail(Exception(describe(error)))
    click.echo(report.summary())
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if profile:
        click.echo(timer.table())


@main.command()
@SITE_OPTION
def check(site_dir: Path) -> None:
    """Validate the config and every record; write nothing."""
    try:
        _, papers = load_site(site_dir)
    except ContentError as error:
        fail(error)
    from generator.record import link_name_warnings

    warned = link_name_warnings(papers)
    for warning in warned:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"OK: {plural(len(papers), 'paper')}, no problems"
               + (f" ({plural(len(warned), 'warning')})." if warned else "."))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Daily Papers", show_default=True, help="Site title.")
@click.option("--base-url", default="https://example.org/", show_default=True,
              help="Where the site will be served from.")
def init(directory: Path, title: str, base_url: str) -> None:
    """Create a new site: config, one sample paper, a deploy and a daily import workflow."""
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
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0: every interface, visible to your network).")
def serve(site_dir: Path, port: int, host: str) -> None:
    """Preview the site: build, serve, rebuild on change and reload the open page."""
    from generator.serve import ServeError, serve_site

    try:
        serve_site(site_dir, host, port, click.echo, lambda line: click.echo(line, err=True))
    except ServeError as error:
        fail(error)


# --- getting papers in: import and new ------------------------------------------------

DAY = click.DateTime(formats=["%Y-%m-%d"])
DRY_RUN = click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")


@main.group("import")
def import_() -> None:
    """Import papers from Hugging Face, arXiv or BibTeX into content/ (re-importing updates)."""


def _run_import(site_dir: Path, batches: list[Any], dry_run: bool) -> None:
    from generator.importers.run import UnreadableSource, import_batches

    try:
        report = import_batches(site_dir, batches, dry_run)
    except UnreadableSource as error:
        for reason in error.reasons:
            click.echo(f"Error: {reason}", err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(1)
    except (ContentError, BuildError) as error:
        fail(error)
    for change in report.changes + report.days:
        if change.action != "unchanged":
            click.echo(("would " if dry_run else "") + str(change))
    for warning in report.warnings:
        click.echo(f"skipped: {warning}", err=True)
    for problem in report.errors:
        click.echo(f"{problem} (file not written)", err=True)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


def _read(path: str) -> tuple[str, str]:
    from generator.importers.run import read_source

    try:
        return read_source(path)
    except (OSError, UnicodeDecodeError) as error:
        fail(Exception(f"{path}: {error}"))


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """An ISO 8601 time with its zone (`Z` or an offset): a time without one is ambiguous."""
    import datetime as dt

    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise click.BadParameter(f"expected a time with its zone, like 2025-11-22T06:30:00Z, got {value!r}")
    return moment.astimezone(dt.UTC)


@import_.command("hf")
@SITE_OPTION
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--fetch", is_flag=True, help="Ask the Hugging Face API (the network is used only with this flag).")
@click.option("--date", "dates", type=DAY, multiple=True,
              help="With --fetch: the featured day to ask for (repeatable; default: today, UTC).")
@click.option("--fetched-at", "fetched_at", callback=_moment, metavar="TIME",
              help="When the FILEs were fetched (2025-11-22T06:30:00Z): recorded in each day's _day.yaml.")
@DRY_RUN
def import_hf(site_dir: Path, files: tuple[str, ...], fetch: bool, dates: tuple[Any, ...],
              fetched_at: Any, dry_run: bool) -> None:
    """Import Hugging Face /api/daily_papers responses (FILE..., or - for standard input)."""
    import datetime as dt

    from generator.importers.fetch import FetchError
    from generator.importers.run import Batch, fetch_hf_batch, hf_batch

    if not files and not fetch:
        raise click.UsageError("give response files (or - for standard input), or --fetch")
    if dates and not fetch:
        raise click.UsageError("--date needs --fetch (files carry their own dates)")
    if fetched_at and not files:
        raise click.UsageError("--fetched-at is for response files (--fetch records the time itself)")
    batches: list[Batch] = [hf_batch(*_read(path), fetched=fetched_at) for path in files]
    days = [d.date() for d in dates] or ([dt.datetime.now(dt.UTC).date()] if fetch else [])
    for day in days:
        try:
            batches.append(fetch_hf_batch(day))
        except FetchError as error:
            batches.append(Batch(str(day), problems=[f"could not fetch: {error}"]))
    _run_import(site_dir, batches, dry_run)


@import_.command("arxiv")
@SITE_OPTION
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--date", "day", type=DAY, help="Featured day of the papers (default: their publication day).")
@DRY_RUN
def import_arxiv(site_dir: Path, files: tuple[str, ...], day: Any, dry_run: bool) -> None:
    """Import arXiv API Atom responses (export.arxiv.org/api/query results)."""
    from generator.importers.run import arxiv_batch

    featured = day.date() if day else None
    _run_import(site_dir, [arxiv_batch(*_read(path), featured) for path in files], dry_run)


@import_.command("bibtex")
@SITE_OPTION
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--date", "day", type=DAY, help="Featured day of the papers (default: their publication date).")
@DRY_RUN
def import_bibtex(site_dir: Path, files: tuple[str, ...], day: Any, dry_run: bool) -> None:
    """Import BibTeX or biblatex files (LaTeX accents to Unicode, math kept as $...$)."""
    from generator.importers.run import bibtex_batch

    featured = day.date() if day else None
    _run_import(site_dir, [bibtex_batch(*_read(path), featured) for path in files], dry_run)


def _link(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    links = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise click.BadParameter(f"expected NAME=URL, got {value!r}", ctx, param)
        links[name.strip()] = url.strip()
    return links


@main.command()
@SITE_OPTION
@click.argument("paper_id", metavar="ID")
@click.option("--title", default="", help="Title (given: nothing is fetched).")
@click.option("--author", "authors", multiple=True, help="An author, in order (repeatable).")
@click.option("--org", "organization", default="", help="Submitting organisation.")
@click.option("--abstract", default=None, help="Abstract (Markdown, $math$ allowed).")
@click.option("--published", type=DAY, help="Publication day.")
@click.option("--date", "day", type=DAY, help="Featured day (default: today).")
@click.option("--upvotes", type=click.IntRange(0), help="Upvote count.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--link", "links", multiple=True, callback=_link, metavar="NAME=URL",
              help="A link such as code=https://github.com/... (repeatable).")
@click.option("--offline", is_flag=True, help="Never fetch; build the record from the flags only.")
def new(site_dir: Path, paper_id: str, title: str, authors: tuple[str, ...], organization: str,
        abstract: str | None, published: Any, day: Any, upvotes: int | None, tags: tuple[str, ...],
        links: dict[str, str], offline: bool) -> None:
    """Add a paper: `new 2512.01234` fetches its arXiv metadata; flags fill or override fields."""
    import datetime as dt

    from generator.importers.fetch import FetchError
    from generator.importers.newrecord import NewPaper, build_record, fetch_arxiv_metadata, write_new_record
    from generator.model import parse_paper_id

    parsed = parse_paper_id(paper_id)
    fetched = None
    if not title and not offline and parsed is not None and parsed.arxiv:
        try:
            fetched = fetch_arxiv_metadata(paper_id)
        except FetchError as error:
            fail(Exception(f"could not fetch {paper_id} from arXiv ({error}); "
                           "give --title (and --abstract, --author ...) to add it offline"))
    elif not title:
        raise click.UsageError("--title is required when nothing is fetched (a slug id or --offline)")
    paper = NewPaper(paper_id, title, authors, organization, abstract,
                     published.date() if published else None, day.date() if day else None,
                     upvotes, tags, links)
    record = build_record(paper, fetched, dt.date.today())
    try:
        path = write_new_record(site_dir, record)
    except (ContentError, BuildError) as error:
        fail(error)
    click.echo(f"created {path}")


# --- getting papers out: the email digest -------------------------------------------


@main.command()
@SITE_OPTION
@click.option("--day", type=DAY, help="The featured day (default: the latest day with papers).")
@click.option("--week", metavar="YYYY-Www", help="An ISO week, e.g. 2025-W49.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write digest-<period>.html, .txt and .eml into this folder.")
@click.option("--send", is_flag=True, help="Send it over SMTP (settings: paperfeed.yaml's email:).")
@click.option("--base-url", help="Absolute URL of the site the links point to (overrides the config).")
@click.option("--include-incomplete", is_flag=True,
              help="Take a day still in progress too (default: only complete days are mailed).")
def digest(site_dir: Path, day: Any, week: str | None, out_dir: Path | None, send: bool,
           base_url: str | None, include_incomplete: bool) -> None:
    """An email-ready digest of a day's or week's papers, ranked; printed as text unless --out/--send."""
    import os

    from generator.build import load_content
    from generator.digest import build_digest, choose_period, render_digest
    from generator.indexes import build_index
    from generator.mailer import send_digest, write_digest
    from generator.themes import make_environment

    if day and week:
        raise click.UsageError("give --day or --week, not both")
    try:
        config, papers, markers = load_content(site_dir, {"base_url": base_url})
        choice = choose_period(build_index(papers, config, markers), day.date() if day else None, week,
                               include_incomplete, config.content_dir)
        prepared = build_digest(config, choice.period)
        html, text = render_digest(prepared, make_environment(config.site_dir, config.theme))
        if out_dir is not None:
            for path in write_digest(out_dir, prepared, html, text, config.email):
                click.echo(f"wrote {path}")
        if send:
            count = send_digest(prepared, html, text, config.email, os.environ)
            click.echo(f"sent {prepared.subject!r} to {plural(count, 'recipient')}")
    except (ContentError, BuildError) as error:
        fail(error)
    if out_dir is None and not send:
        click.echo(text, nl=False)
    if choice.note:
        click.echo(choice.note, err=True)


def run() -> None:
    """The `paperfeed` program. After a build the process ends at once: tearing down the
    heap of a large site (every object freed one by one) takes a second and changes nothing.
    Other commands (`serve` cleans up its temporary folder on exit) end normally."""
    if sys.argv[1:2] != ["build"]:
        main()
        return
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        click.echo(code, err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
