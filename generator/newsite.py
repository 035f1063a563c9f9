"""`paperfeed init`: a working site with a sample paper, a commented config and a deploy workflow."""

from __future__ import annotations

from pathlib import Path

from generator import __version__
from generator.config import CONFIG_NAME, SearchConfig, config_template

SCAFFOLD_DIR = Path(__file__).parent / "scaffold"
#: The workflows init writes, from SCAFFOLD_DIR. import.yml: the daily Hugging Face import.
WORKFLOWS = ("deploy.yml", "import.yml")
#: Stands for the running paperfeed's version in the scaffold workflows. Not Jinja:
#: workflows are full of GitHub's own ``${{ }}`` expressions.
VERSION_MARK = "@PAPERFEED_VERSION@"

SAMPLE_RECORD = """\
# One paper per file (or a list of papers). Fields: see the paperfeed README.
id: "1706.03762"
title: Attention Is All You Need
authors:
  - Ashish Vaswani
  - Noam Shazeer
  - Niki Parmar
  - Jakob Uszkoreit
  - Llion Jones
  - Aidan N. Gomez
  - Łukasz Kaiser
  - Illia Polosukhin
organization: Google
abstract: |
  The dominant sequence transduction models are based on complex recurrent or
  convolutional neural networks. We propose a new simple network architecture, the
  Transformer, based solely on attention mechanisms. Self-attention costs
  $\\mathcal{O}(n^2 \\cdot d)$ per layer for a sequence of length $n$.
published: 2017-06-12
date: 2017-06-12
upvotes: 42
tags: [transformers, attention]
links:
  code: https://github.com/tensorflow/tensor2tensor
"""

#: Settings a new site's config sets besides its title and base URL: a saved search to copy.
INIT_SETTINGS = {"feeds": {"searches": (SearchConfig(slug="with-code", title="Papers with code",
                                                     query="has:code"),)}}

# What a build leaves beside the sources (generator/writer.py, generator/cache.py): the site,
# its lock file, the staging and previous-site folders of the atomic swap, and the cache.
GITIGNORE = "public/\n.public.lock\n.public.staging/\n.public.old/\n.paperfeed-cache/\n"


def create_site(directory: Path, title: str, base_url: str) -> list[Path]:
    """Write a new site; refuse to touch a folder that already has files."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty; choose a new folder")
    files = {
        Path(CONFIG_NAME): config_template({"title": title, "base_url": base_url, **INIT_SETTINGS}),
        Path("content/2017/06/12/1706.03762.yaml"): SAMPLE_RECORD,
        Path(".gitignore"): GITIGNORE,
    }
    for workflow in WORKFLOWS:
        files[Path(".github/workflows") / workflow] = scaffold_workflow(workflow)
    created = []
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return created


def scaffold_workflow(name: str, version: str = __version__) -> str:
    """A workflow as init writes it: it installs exactly the paperfeed that wrote it.

    A new site's CI then builds with the version its author tried locally, and an
    upgrade is a deliberate one-line change, not whatever PyPI has that day.
    """
    text = (SCAFFOLD_DIR / name).read_text(encoding="utf-8")
    return text.replace(VERSION_MARK, version)
