"""What the built site weighs, against the host's limits (config `limits`).

Static hosts refuse sites past a size (GitHub Pages: 1 GB) or a number of files
(Cloudflare Pages: 20,000), and a reader waits for a page of several hundred KB:
the build says what the site weighs and warns, without failing, when it passes a limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.config import LimitsConfig

MB = 1000 * 1000
KB = 1000


@dataclass(frozen=True)
class Weight:
    """The site's size in bytes and files, and its largest HTML page."""

    bytes: int
    files: int
    largest_page: str = ""
    largest_page_bytes: int = 0
    pages_over_limit: int = 0

    def as_dict(self) -> dict[str, int | str]:
        return {"bytes": self.bytes, "files": self.files, "largest_page": self.largest_page,
                "largest_page_bytes": self.largest_page_bytes, "pages_over_limit": self.pages_over_limit}


def weigh(sizes: Mapping[str, int], limits: LimitsConfig) -> Weight:
    """The weight of a site from each output file's size in bytes."""
    largest, largest_bytes, over = "", 0, 0
    page_limit = limits.max_page_kb * KB
    for path, size in sizes.items():
        if not path.endswith(".html"):
            continue
        if size > largest_bytes or (size == largest_bytes and path < largest):
            largest, largest_bytes = path, size
        if page_limit and size > page_limit:
            over += 1
    return Weight(sum(sizes.values()), len(sizes), largest, largest_bytes, over)


def human_size(size: int) -> str:
    """'812 KB', '14.2 MB', '1.28 GB' (powers of 1000, as hosts count)."""
    if size < MB:
        return f"{size / KB:.0f} KB"
    if size < 1000 * MB:
        return f"{size / MB:.1f} MB"
    return f"{size / (1000 * MB):.2f} GB"


def warnings(weight: Weight, limits: LimitsConfig) -> tuple[str, ...]:
    """One line per limit the site passes (see `limits` in paperfeed.yaml)."""
    found = []
    if limits.max_site_mb and weight.bytes > limits.max_site_mb * MB:
        found.append(f"the site is {human_size(weight.bytes)}, over limits.max_site_mb ({limits.max_site_mb} MB; "
                     "GitHub Pages refuses sites over 1 GB): raise the taxonomies' min_papers or feed_min_papers")
    if limits.max_files and weight.files > limits.max_files:
        found.append(f"the site has {weight.files} files, over limits.max_files ({limits.max_files}): "
                     "raise the taxonomies' min_papers or feed_min_papers")
    if weight.pages_over_limit:
        found.append(f"{weight.pages_over_limit} HTML page{'s are' if weight.pages_over_limit != 1 else ' is'} "
                     f"over limits.max_page_kb ({limits.max_page_kb} KB), the largest {weight.largest_page} "
                     f"({human_size(weight.largest_page_bytes)})")
    return tuple(found)
