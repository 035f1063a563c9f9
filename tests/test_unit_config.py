"""config.py and config_schema.py as functions over values: schema defaults, messages, lines, overrides, paths."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from generator.config import EmailConfig, FeedsConfig, SiteConfig, TaxonomyConfig, config_template, load_config
from generator.errors import ContentError

TOP_KEYS = ("api, authors, base_url, content_dir, description, email, feeds, language, limits, orgs, output_dir, "
            "per_page, rows_per_page, tags, theme, timezone, title, trending_days")


def load(site: Path, text: str | None = None, overrides: dict[str, Any] | None = None,
         environ: dict[str, str] | None = None) -> SiteConfig:
    site.mkdir(parents=True, exist_ok=True)
    if text is not None:
        (site / "paperfeed.yaml").write_text(text, encoding="utf-8")
    return load_config(site, overrides, environ if environ is not None else {})


def problems(site: Path, text: str | None = None, **kw: Any) -> list[str]:
    with pytest.raises(ContentError) as info:
        load(site, text, **kw)
    return str(info.value).splitlines()


def defaults(site: Path) -> SiteConfig:
    return dataclasses.replace(SiteConfig(), site_dir=site)


# defaults -------------------------------------------------------------------------------------

def test_defaults_make_a_working_site() -> None:
    config = SiteConfig()
    assert (config.title, config.base_url, config.language, config.timezone, config.theme) == (
        "Daily Papers", "http://127.0.0.1:8000/", "en", "UTC", "default")
    assert (config.content_dir, config.output_dir, config.per_page, config.trending_days) == (
        "content", "public", 30, 7)
    assert config.feeds == FeedsConfig(items=50, upvote_thresholds=(10, 50), digest_days=30)
    # The long-tail thresholds chosen on a year of real papers (issue 11): tag pages from 3
    # papers and feeds from 10, every organisation, authors from 5; term feeds in RSS only.
    assert config.tags == TaxonomyConfig(min_papers=3, feeds=True, feed_min_papers=10, feed_formats=("rss",))
    assert config.orgs == TaxonomyConfig(min_papers=1, feeds=True, feed_min_papers=3)
    assert config.authors == TaxonomyConfig(min_papers=5, feeds=False, feed_min_papers=3)
    assert config.rows_per_page == 100 and config.limits.max_site_mb == 1000
    assert config.email == EmailConfig()
    assert config.email.password_env == "PAPERFEED_SMTP_PASSWORD"


def test_no_config_file_and_an_empty_one_give_the_defaults(tmp_path: Path) -> None:
    assert load(tmp_path / "none") == defaults(tmp_path / "none")
    assert load(tmp_path / "empty", "") == defaults(tmp_path / "empty")
    assert load(tmp_path / "comments", "# nothing yet\n") == defaults(tmp_path / "comments")


def test_paths_are_relative_to_the_site(tmp_path: Path) -> None:
    config = load(tmp_path, "content_dir: papers\noutput_dir: _site\n")
    assert config.content_path == tmp_path / "papers"
    assert config.output_path == tmp_path / "_site"


def test_a_section_overrides_only_the_keys_it_names(tmp_path: Path) -> None:
    config = load(tmp_path, "tags:\n  feeds: false\nfeeds:\n  upvote_thresholds: [50, 10, 10, 100]\n")
    assert config.tags == TaxonomyConfig(min_papers=3, feeds=False, feed_min_papers=10)
    assert config.feeds.upvote_thresholds == (10, 50, 100)  # sorted, duplicates dropped
    assert config.feeds.items == 50
    assert load(tmp_path, "feeds:\n").feeds == FeedsConfig()


def test_values_are_cleaned(tmp_path: Path) -> None:
    config = load(tmp_path, "title: '  My papers  '\ndescription:\nemail:\n  recipients: [' a@b.org ']\n")
    assert config.title == "My papers"
    assert config.description == ""
    assert config.email.recipients == ("a@b.org",)


# every validator, with its exact message and line ------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("title: ''\n", "title: expected a non-empty string, got ''"),
    ("title: [a]\n", "title: expected a non-empty string, got ['a']"),
    ("description: 5\n", "description: expected a string, got 5"),
    ("base_url: example.org\n",
     "base_url: expected an absolute http(s) URL like https://example.org/papers/, got 'example.org'"),
    ("language: 7\n", "language: expected a non-empty string, got 7"),
    ("timezone: Mars/Olympus\n",
     "timezone: expected an IANA time zone like Europe/Paris or UTC, got 'Mars/Olympus'"),
    ("theme: ../evil\n", "theme: expected a theme folder name, got '../evil'"),
    ("theme: ''\n", "theme: expected a non-empty string, got ''"),
    ("content_dir: ''\n", "content_dir: expected a non-empty string, got ''"),
    ("output_dir: 3\n", "output_dir: expected a non-empty string, got 3"),
    ("per_page: 0\n", "per_page: expected a whole number >= 1, got 0"),
    ("per_page: many\n", "per_page: expected a whole number >= 1, got 'many'"),
    ("per_page: 2.5\n", "per_page: expected a whole number >= 1, got 2.5"),
    ("trending_days: true\n", "trending_days: expected a whole number >= 1, got True"),
    ("feeds: 3\n", "feeds: expected a mapping, got 3"),
    ("feeds:\n  items: -1\n", "feeds.items: expected a whole number >= 1, got -1"),
    ("feeds:\n  upvote_thresholds: 5\n", "feeds.upvote_thresholds: expected a list of whole numbers, got 5"),
    ("feeds:\n  upvote_thresholds: [10, 0]\n", "feeds.upvote_thresholds: expected a whole number >= 1, got 0"),
    ("feeds:\n  digest_days: x\n", "feeds.digest_days: expected a whole number >= 1, got 'x'"),
    ("tags:\n  min_papers: 0\n", "tags.min_papers: expected a whole number >= 1, got 0"),
    ("orgs:\n  feeds: 'yes'\n", "orgs.feeds: expected true or false, got 'yes'"),
    ("authors:\n  feed_min_papers: []\n", "authors.feed_min_papers: expected a whole number >= 1, got []"),
    ("email:\n  smtp_port: 0\n", "email.smtp_port: expected a whole number >= 1, got 0"),
    ("email:\n  sender: [a]\n", "email.sender: expected a string, got ['a']"),
    ("email:\n  recipients: a@b.org\n", "email.recipients: expected a list of strings, got 'a@b.org'"),
    ("email:\n  recipients: [a@b.org, '']\n", "email.recipients: expected a non-empty string, got ''"),
])
def test_each_validator_names_the_key_its_line_and_what_was_expected(
        tmp_path: Path, text: str, message: str) -> None:
    line = text.count("\n")  # the bad value is always on the last line
    assert problems(tmp_path, "# a comment first\n" + text) == [f"paperfeed.yaml:{line + 1}: {message}"]


def test_unknown_keys_are_errors_at_every_level(tmp_path: Path) -> None:
    text = "title: T\ntitel: typo\nfeeds:\n  items: 3\n  bogus: 1\ntags:\n  min_paper: 2\n"
    assert problems(tmp_path, text) == [
        f"paperfeed.yaml:2: titel: unknown setting; expected one of {TOP_KEYS}",
        "paperfeed.yaml:5: feeds.bogus: unknown setting; expected one of digest_days, id_base, items, searches, "
        "term_items, upvote_thresholds",
        "paperfeed.yaml:7: tags.min_paper: unknown setting; expected one of feed_formats, feed_min_papers, feeds, "
        "min_papers",
    ]


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    text = "title: ''\nper_page: 0\nbase_url: nope\nfeeds:\n  items: 0\n"
    assert problems(tmp_path, text) == [
        "paperfeed.yaml:1: title: expected a non-empty string, got ''",
        "paperfeed.yaml:2: per_page: expected a whole number >= 1, got 0",
        "paperfeed.yaml:3: base_url: expected an absolute http(s) URL like https://example.org/papers/, "
        "got 'nope'",
        "paperfeed.yaml:5: feeds.items: expected a whole number >= 1, got 0",
    ]


def test_the_line_of_a_block_value_is_the_line_of_the_value(tmp_path: Path) -> None:
    assert problems(tmp_path, "title: T\nper_page:\n  - 1\n") == [
        "paperfeed.yaml:3: per_page: expected a whole number >= 1, got [1]"]


def test_a_config_that_is_not_a_mapping(tmp_path: Path) -> None:
    assert problems(tmp_path, "- title\n") == ["paperfeed.yaml:1: expected a mapping of settings"]


def test_yaml_mistakes_in_the_config_name_their_line(tmp_path: Path) -> None:
    assert problems(tmp_path / "dup", "title: a\nper_page: 3\ntitle: b\n") == [
        "paperfeed.yaml:3: title: duplicate key (first on line 1)"]
    assert problems(tmp_path / "syntax", "title: a\nfeeds: [1\n") == [
        "paperfeed.yaml:3: yaml: while parsing a flow sequence did not find expected ',' or ']'"]
    assert problems(tmp_path / "tag", "title: !!python/name:os.system\n") == [
        "paperfeed.yaml:1: yaml: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/name:os.system'"]


def test_a_non_utf8_config_names_the_byte(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "paperfeed.yaml").write_bytes(b"title: caf\xe9\n")
    assert problems(tmp_path) == [
        "paperfeed.yaml:1: not valid UTF-8 at byte offset 10; save the file as UTF-8"]


# base_url ------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, stored", [
    ("https://example.org", "https://example.org/"),
    ("https://example.org/", "https://example.org/"),
    ("https://user.github.io/papers", "https://user.github.io/papers/"),
    ("https://user.github.io/papers/", "https://user.github.io/papers/"),
    ("https://user.github.io/a/b//", "https://user.github.io/a/b/"),
    ("  http://127.0.0.1:8000  ", "http://127.0.0.1:8000/"),
])
def test_base_url_gets_exactly_one_trailing_slash(tmp_path: Path, given: str, stored: str) -> None:
    assert load(tmp_path, f"base_url: '{given}'\n").base_url == stored


@pytest.mark.parametrize("given", [
    "example.org/papers", "ftp://example.org/", "//example.org/", "https://", "https:///papers",
    "https://example.org/a b/", "https://example.org/?page=1", "https://example.org/#top",
    "javascript:alert(1)",
])
def test_base_url_must_be_absolute_http(tmp_path: Path, given: str) -> None:
    assert problems(tmp_path, f"base_url: '{given}'\n") == [
        "paperfeed.yaml:1: base_url: expected an absolute http(s) URL like https://example.org/papers/, "
        f"got {given!r}"]


# environment and flags -------------------------------------------------------------------------

def test_precedence_is_flags_then_environment_then_file(tmp_path: Path) -> None:
    text = "base_url: https://file.org/\nper_page: 5\ntitle: From the file\n"
    env = {"PAPERFEED_BASE_URL": "https://env.org/papers", "PAPERFEED_PER_PAGE": "7"}
    flags = {"base_url": "https://flag.org/x/"}
    assert load(tmp_path, text).base_url == "https://file.org/"
    from_env = load(tmp_path, text, environ=env)
    assert (from_env.base_url, from_env.per_page, from_env.title) == (
        "https://env.org/papers/", 7, "From the file")
    from_flags = load(tmp_path, text, overrides=flags, environ=env)
    assert (from_flags.base_url, from_flags.per_page) == ("https://flag.org/x/", 7)


def test_a_flag_that_was_not_given_does_not_override(tmp_path: Path) -> None:
    config = load(tmp_path, "output_dir: site\n", overrides={"output_dir": None, "base_url": None})
    assert config.output_dir == "site"
    assert config.base_url == SiteConfig().base_url


def test_the_process_environment_is_read_by_default(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERFEED_TITLE", "From CI")
    monkeypatch.setenv("PAPERFEED_TRENDING_DAYS", " 14 ")
    (tmp_path / "paperfeed.yaml").write_text("title: From the file\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.title, config.trending_days) == ("From CI", 14)


def test_unrelated_and_section_environment_variables_are_ignored(tmp_path: Path) -> None:
    env = {"PAPERFEED_EMAIL": "me@example.org", "PAPERFEED_FEEDS": "all", "PAPERFEED_TAGS": "x",
           "PAPERFEED_SMTP_PASSWORD": "secret", "PAPERFEED_SITE_DIR": "/etc", "PAPERFEED": "1",
           "paperfeed_title": "lower case is not ours"}
    assert load(tmp_path, "", environ=env) == defaults(tmp_path)


def test_a_bad_override_is_reported_where_it_came_from(tmp_path: Path) -> None:
    text = "per_page: 5\nbase_url: https://ok.org/\n"
    env = {"PAPERFEED_PER_PAGE": "many", "PAPERFEED_TRENDING_DAYS": "[1"}
    assert problems(tmp_path, text, environ=env, overrides={"base_url": "nope"}) == [
        "$PAPERFEED_PER_PAGE: per_page: expected a whole number >= 1, got 'many'",
        "$PAPERFEED_TRENDING_DAYS: trending_days: expected a whole number >= 1, got '[1'",
        "command line: base_url: expected an absolute http(s) URL like https://example.org/papers/, "
        "got 'nope'",
    ]


# output_dir must never be the site or one of its inputs ------------------------------------------

REFUSED = "would overwrite the site or its content; use a separate folder such as 'public'"


@pytest.mark.parametrize("text, shown", [
    ("output_dir: .\n", "'.'"),
    ("output_dir: ..\n", "'..'"),
    ("output_dir: ./\n", "'./'"),
    ("output_dir: content\n", "'content'"),
    ("output_dir: content/site\n", "'content/site'"),
    ("output_dir: public/../content\n", "'public/../content'"),
    ("output_dir: static\n", "'static'"),
    ("output_dir: templates\n", "'templates'"),
    ("output_dir: themes/mine\n", "'themes/mine'"),
])
def test_output_dir_that_would_overwrite_the_site_is_refused(tmp_path: Path, text: str, shown: str) -> None:
    site = tmp_path / "site"
    assert problems(site, "title: T\n" + text) == [f"paperfeed.yaml:2: output_dir: {shown} {REFUSED}"]


def test_output_dir_around_the_content_or_above_the_site_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert problems(site, "content_dir: public/papers\n") == [f"paperfeed.yaml: output_dir: 'public' {REFUSED}"]
    assert problems(site, "", overrides={"output_dir": str(tmp_path)}) == [
        f"command line: output_dir: {str(tmp_path)!r} {REFUSED}"]


@pytest.mark.parametrize("output_dir", ["public", "_site", "build/site", "../site-public"])
def test_a_separate_output_dir_is_fine(tmp_path: Path, output_dir: str) -> None:
    assert load(tmp_path / "site", f"output_dir: {output_dir}\n").output_dir == output_dir


# the commented template of `paperfeed init` -----------------------------------------------------

def test_the_template_loads_back_to_the_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, config_template()) == defaults(tmp_path)


def test_the_template_with_every_setting_uncommented_loads_back_to_the_defaults(tmp_path: Path) -> None:
    text = re.sub(r"(?m)^(\s*)# ([a-z_]+): ", r"\1\2: ", config_template())
    assert "\ntitle: Daily Papers\n" in text and "\n  recipients: []\n" in text
    assert load(tmp_path, text) == defaults(tmp_path)


def test_the_template_with_chosen_values_loads_back_to_them(tmp_path: Path) -> None:
    chosen = {"title": "Lab: papers #1 'weekly'", "base_url": "https://lab.github.io/papers/",
              "description": "null"}
    config = load(tmp_path, config_template(chosen))
    assert dataclasses.replace(config, site_dir=Path(".")) == SiteConfig(**chosen)


def test_the_template_documents_every_setting() -> None:
    text = config_template()

    def check(cls: type, indent: str) -> None:
        for f in dataclasses.fields(cls):
            if f.metadata.get("internal"):
                continue
            assert f"{indent}# {f.metadata['doc']}\n" in text, f.name
            default = getattr(cls(), f.name)
            if dataclasses.is_dataclass(default):
                assert f"\n{indent}{f.name}:\n" in text
                check(type(default), indent + "  ")
            else:
                assert f"\n{indent}# {f.name}: " in text
    check(SiteConfig, "")


@pytest.mark.parametrize("zone, good", [
    ("UTC", True), ("Europe/Paris", True), ("America/Argentina/Buenos_Aires", True), ("Etc/GMT+5", True),
    ("America/Port-au-Prince", True), ("Mars/Olympus", False), ("../../etc/passwd", False),
    ("/usr/share/zoneinfo/UTC", False), ("Europe/", False), ("", False),
])
def test_a_time_zone_is_one_zoneinfo_knows(zone: str, good: bool) -> None:
    """Checked by loading it (zoneinfo.available_timezones() reads ~600 files on every build)."""
    from zoneinfo import available_timezones

    from generator.config_schema import _is_zone

    assert _is_zone(zone) is good
    assert good is (zone in available_timezones() or zone == "UTC")
