"""What one build leaves in memory for the next build in the same process (`serve`).

A build run by the command line reads its caches from disk and checks every entry again
(generator/cache.py: a stored paper passes the record schema, stored markup the
sanitiser), since the files may have been changed by anyone since. Within one `serve`
session the previous build's parsed records, file index and markup are still in memory,
made or checked by this very process: a rebuild after one saved record uses them as they
are, and neither decodes nor re-checks the caches. After a template or theme edit (no record
and no setting changed) the site index is the last build's too. What this build would have saved to
disk is kept pending and written once, when the session ends (flush()), so a save in the
editor does not pay for re-encoding 30 MB of cache each time.

A WarmState stands for one site's caches under one code digest and record context: given
another (the time zone changed), its records are not used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.preview import Basis


@dataclass
class WarmState:
    """The caches of the last build in this process; empty until a build has run.

    Mutable on purpose: it is the session's memory, owned by the one `serve` loop that
    passes it to build(), never a value handed between stages.
    """

    key: str = ""  # the code digest and record context these records were parsed under
    files: dict[str, tuple[tuple[int, int, int], str]] | None = None  # shown path -> (stat, digest)
    records: dict[str, Any] | None = None  # file digest -> (shown path, (papers, problems))
    markup: dict[bytes, Any] | None = None  # markup key -> HTML (checked or made here)
    index: tuple[str, Any] | None = None  # (digest of the records and config, the SiteIndex)
    basis: Basis | None = None  # the last good build's config, index and templates (serve's quick page)
    unsaved: dict[str, Callable[[], None]] = field(default_factory=dict)  # section -> its save

    def defer(self, section: str, save: Callable[[], None]) -> None:
        """Keep a cache section's save for flush(); a later one of the same section replaces it."""
        self.unsaved[section] = save

    def flush(self) -> None:
        """Write every pending cache section to disk (at the end of a session)."""
        saves, self.unsaved = self.unsaved, {}
        for save in saves.values():
            save()
