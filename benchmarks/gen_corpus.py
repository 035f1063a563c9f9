#!/usr/bin/env python3
"""Generate a deterministic synthetic paperfeed corpus for benchmarks.

    python benchmarks/gen_corpus.py --n 10000 --out /tmp/site [--seed 1] [--realistic]

Writes ``OUT/paperfeed.yaml`` and one record per file under
``OUT/content/YYYY/MM/DD/<id>.yaml``. The same arguments always give
byte-identical files (only the standard library's seeded ``random.Random`` and a hand-written
YAML emitter are involved; no clock, no hash randomisation, no dependency).

Shape of the data (see issue 5):

* papers over consecutive days, 10-40 a day, the newest day is 2025-12-08 and
  days go backwards until N papers exist (the oldest day may hold fewer);
* 1-50 authors per paper (log-normal, median ~6), drawn with a skewed
  distribution from a shared pool of about N names, so a few authors have
  hundreds of papers and the tail still has several each;
* 150-300-word abstracts, often in two paragraphs, with Markdown links,
  some emphasis and inline code, and 1-4 ``$...$`` math snippets;
* 1-4 of 40 tags (skewed), an organisation on ~30% of papers, a thumbnail
  (https URL) on ~40%, a code link on ~50%, a project page on ~25%;
* arXiv-style ids (``2512.01234``) from the published month, unique.

``--realistic`` makes the long-tailed corpus of issue 11 instead (realistic.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
from pathlib import Path

END_DATE = dt.date(2025, 12, 8)

FIRST = """Wei Yang Jun Hao Xin Li Lei Jing Min Yu Chen Hui Ming Jie Tao Bo Ling Qi Yan
Ahmed Fatima Omar Layla Yusuf Amira Hassan Noor Ali Sara Priya Arjun Rohan Ananya
Vikram Kavya Rahul Neha Aditya Meera Hiroshi Yuki Kenji Aiko Takumi Sakura Ji-ho
Min-jun Seo-yeon Hyun-woo Anna Maria Elena Sofia Lucas Mateo Julia Emma Noah Liam
Olivia Ethan Mia James Amelia Daniel Charlotte Michael Harper Alexander Evelyn David
Abigail Thomas Emily Samuel Ella Jacob Grace Benjamin Chloe Henry Lily Sebastian
Nora Gabriel Zoë José Renée Søren Björn Élodie François Łukasz Ángel Dmitri Olga
Ivan Natasha Pavel Katarina Nikolai Irina Kwame Ama Chinedu Ngozi Tunde Aisha
Mehmet Elif Can Zeynep Kemal Ayşe Lars Ingrid Sven Astrid Pieter Femke Joost Marit
""".split()

LAST = """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin
Luo Gao Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan
Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Kumar Sharma Singh Patel
Gupta Reddy Iyer Nair Menon Rao Das Bose Tanaka Suzuki Takahashi Watanabe Ito
Yamamoto Nakamura Kobayashi Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Smith
Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Taylor Moore Jackson Martin Thompson White Harris Clark
Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Dubois
Moreau Lefèvre Girard Rossi Russo Ferrari Esposito Bianchi Romano Silva Santos
Oliveira Pereira Costa Ivanov Petrov Smirnov Kowalski Nowak Wiśniewski Novák
Jansen Visser Bakker Andersen Nielsen Hansen Johansson Larsson Öztürk Yılmaz Demir
Okafor Mensah Adeyemi O'Brien Murphy Kelly Nguyen Tran Pham
""".split()

TAGS = [
    "large language models", "diffusion models", "reinforcement learning",
    "computer vision", "multimodal", "vision-language models", "reasoning",
    "agents", "code generation", "image generation", "video generation",
    "3d reconstruction", "robotics", "speech", "retrieval", "efficiency",
    "quantization", "mixture of experts", "long context", "alignment", "safety",
    "benchmarks", "datasets", "graph neural networks", "optimization",
    "theory", "interpretability", "federated learning", "medical imaging",
    "time series", "recommendation", "tokenization", "distillation",
    "self-supervised learning", "world models", "embodied ai",
    "text-to-speech", "math", "scientific discovery", "evaluation",
]

ORGS = [
    "Google DeepMind", "Meta AI", "Microsoft Research", "NVIDIA", "Tencent",
    "Alibaba", "ByteDance Seed", "Baidu", "Huawei Noah's Ark Lab", "DeepSeek",
    "Moonshot AI", "Mistral AI", "Hugging Face", "Allen Institute for AI",
    "Apple", "Amazon", "Salesforce Research", "Shanghai AI Laboratory",
    "Tsinghua University", "Peking University", "Stanford University", "MIT",
    "Carnegie Mellon University", "ETH Zürich", "University of Oxford",
    "KAIST", "Sakana AI", "Zhipu AI", "Qwen", "OpenGVLab",
]

MATH = [
    r"$\mathcal{O}(n^2)$", r"$x_i$", r"$\alpha = 0.5$", r"$\sum_{i=1}^{n} x_i$",
    r"$\mathbb{R}^d$", r"$p(y \mid x)$", r"$\frac{1}{2}$", r"$\lVert w \rVert_2$",
    r"$\mathcal{O}(n \log n)$", r"$\theta^\ast$", r"$\nabla_\theta \mathcal{L}$",
    r"$k \times k$", r"$\epsilon$", r"$\hat{y}$",
    r"$\mathbf{W} \in \mathbb{R}^{d \times k}$", r"$\tilde{x}$", r"$\sqrt{d}$",
    r"$\operatorname{softmax}(QK^\top)$", r"$\gamma \leq 0.99$", r"$2\times$",
]

TITLE_A = """Scalable Efficient Robust Unified Adaptive Sparse Hierarchical Latent
Contrastive Generative Causal Multimodal Lightweight Self-Improving Interpretable
Compositional Universal Progressive Federated Recursive Streaming Open Diverse
Native Dense Controllable Faithful""".split()
TITLE_B = """Transformers Diffusion Agents Reasoning Retrieval Alignment Tokenizers
Embeddings Planners Encoders Decoders Benchmarks Rewards Experts Priors Policies
Representations Tokens Memories Critics Verifiers Distillation Attention""".split()
TITLE_C = """Long-Context Understanding|Video Generation|Mathematical Reasoning|Code
Synthesis|Robot Manipulation|Image Editing|Speech Recognition|3D Scene Synthesis|
Visual Question Answering|Tool Use|Scientific Discovery|Medical Diagnosis|Web
Navigation|Theorem Proving|Text-to-Image Generation|Instruction Following|
Multilingual Translation|Protein Design|Weather Forecasting|Autonomous Driving""".replace(
    "\n", " ").split("|")
TITLE_PATTERNS = [
    "{a} {b} for {c}",
    "{name}: {a} {b} for {c}",
    "Towards {a} {c} with {b}",
    "{name}: Scaling {b} for {c}",
    "On the Limits of {a} {b} in {c}",
    "{a} {b} Are Strong Learners of {c}",
    "Rethinking {c}: A {a} Approach",
]
NAME_SYLL = "Ze Lu Mi Ra Ko Va Ni Sa To Qi Xa Lo Fe Da Po Ri Ve Ka No Zu".split()

WORDS = """we propose a novel framework that method model models approach data
training inference performance results show significantly outperforms existing
baselines across benchmarks tasks state-of-the-art accuracy efficiency learning
representation representations large language vision multimodal reasoning
generation quality scaling parameters layers attention tokens context window
pretraining fine-tuning alignment reward policy optimization gradient loss
objective dataset datasets evaluation human preference experiments demonstrate
our key insight is to leverage structure latent space diffusion process noise
schedule sampling steps compute budget memory footprint throughput latency
hardware GPU kernels sparse dense mixture experts routing retrieval augmented
documents queries agents tools environment feedback trajectories planning
verification step-by-step chain of thought supervision curriculum synthetic
real-world robust generalization out-of-distribution zero-shot few-shot
transfer downstream open-source release code weights further analysis reveals
simple effective strategy substantially improves over prior work while
requiring fewer resources and in addition we introduce new benchmark covering
diverse domains languages modalities scenarios carefully designed to measure
capabilities limitations current systems extensive ablations confirm each
component contributes""".split()

LINK_TEXTS = ["our code", "the project page", "this repository", "a demo",
              "the dataset", "prior work", "the leaderboard", "the appendix"]
LINK_HOSTS = ["https://github.com/example-lab/{slug}",
              "https://huggingface.co/datasets/example/{slug}",
              "https://example.org/projects/{slug}",
              "https://arxiv.org/abs/{aid}"]


def author_pool(rng: random.Random, size: int) -> list[str]:
    """`size` distinct names, deterministic for a given rng state."""
    names: list[str] = []
    seen: set[str] = set()
    initials = "ABCDEFGHJKLMNPRSTVWZ"
    while len(names) < size:
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        # Plain "First Last" for the first combinations, then middle initials
        # so that large pools stay distinct.
        if len(seen) < len(FIRST) * len(LAST) // 3 or rng.random() < 0.2:
            name = f"{first} {last}"
            if name in seen:
                name = f"{first} {rng.choice(initials)}. {last}"
        else:
            name = f"{first} {rng.choice(initials)}. {last}"
        if name in seen:
            name = f"{first} {rng.choice(initials)}. {rng.choice(initials)}. {last}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def skewed_index(rng: random.Random, n: int, power: float = 2.0) -> int:
    return min(n - 1, int(n * rng.random() ** power))


def make_title(rng: random.Random) -> str:
    name = rng.choice(NAME_SYLL) + rng.choice(NAME_SYLL).lower() + rng.choice(
        ["", "-R1", "-VL", "Bench", "Net", "GPT", "-2", "Flow"])
    return rng.choice(TITLE_PATTERNS).format(
        a=rng.choice(TITLE_A), b=rng.choice(TITLE_B), c=rng.choice(TITLE_C), name=name)


def make_abstract(rng: random.Random, aid: str) -> str:
    n_math = rng.randint(1, 4)
    n_links = rng.randint(1, 2)
    # a link adds 3-4 words ("(see [our code](url))"), a math snippet 1-5:
    # the total stays within 150..300 whitespace-separated words
    target = rng.randint(150 + 5 * 4 + 4 * 2, 300) - 5 * n_math - 4 * n_links
    words: list[str] = []
    sentence_len = 0
    count = 0
    while count < target:
        w = rng.choice(WORDS)
        if sentence_len == 0:
            w = w[:1].upper() + w[1:]
        r = rng.random()
        if r < 0.01:
            w = f"**{w}**"
        elif r < 0.015:
            w = f"`{w}`"
        words.append(w)
        count += 1
        sentence_len += 1
        if sentence_len > rng.randint(12, 28):
            words[-1] += "."
            sentence_len = 0
    words[-1] = words[-1].rstrip(".") + "."
    # math and links are inserted after a word (never first), counted as words
    for _ in range(n_math):
        pos = rng.randint(1, len(words) - 1)
        words.insert(pos, rng.choice(MATH))
    for _ in range(n_links):
        pos = rng.randint(1, len(words) - 1)
        slug = rng.choice(NAME_SYLL).lower() + str(rng.randint(1, 999))
        url = rng.choice(LINK_HOSTS).format(slug=slug, aid=aid)
        words.insert(pos, f"(see [{rng.choice(LINK_TEXTS)}]({url}))")
    text_words = words
    if rng.random() < 0.5:
        # two paragraphs, split at a sentence end near the middle
        mid = len(text_words) // 2
        for i in range(mid, len(text_words) - 1):
            if text_words[i].endswith("."):
                return " ".join(text_words[: i + 1]) + "\n\n" + " ".join(text_words[i + 1:])
    return " ".join(text_words)


def day_counts(rng: random.Random, n: int) -> list[tuple[dt.date, int]]:
    """[(day, count)], newest first, counts 10-40 summing to n."""
    out = []
    day = END_DATE
    left = n
    while left > 0:
        c = min(left, rng.randint(10, 40))
        out.append((day, c))
        left -= c
        day -= dt.timedelta(days=1)
    return out


def _q(s: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def dump(rec: dict) -> str:
    """Serialise one record as YAML, by hand: fast (PyYAML's pure-Python
    emitter takes ~10 ms per record) and byte-stable whatever PyYAML/libyaml
    version is installed. Strings are double-quoted, the abstract is a literal
    block (the text never has leading or trailing spaces on a line), dates are plain ISO dates."""
    out = []
    for key, value in rec.items():
        if key == "abstract" or (isinstance(value, str) and "\n" in value):
            lines = value.split("\n")
            out.append(f"{key}: |-")
            out.extend(("  " + line) if line else "" for line in lines)
        elif isinstance(value, str):
            out.append(f"{key}: {_q(value)}")
        elif isinstance(value, bool):
            raise TypeError(key)
        elif isinstance(value, (int, dt.date)):
            out.append(f"{key}: {value}" if isinstance(value, int) else
                       f"{key}: {value.isoformat()}")
        elif isinstance(value, list):
            out.append(f"{key}:")
            out.extend(f"  - {_q(v)}" for v in value)
        elif isinstance(value, dict):
            out.append(f"{key}:")
            out.extend(f"  {k}: {_q(v)}" for k, v in value.items())
        else:
            raise TypeError(f"{key}: {type(value).__name__}")
    return "\n".join(out) + "\n"


def generate(n: int, out: Path, seed: int = 1) -> int:
    rng = random.Random(f"paperfeed-bench:{seed}:{n}")
    pool = author_pool(rng, max(50, n))
    days = day_counts(rng, n)
    # arXiv numbers are allocated per published month, in chronological order
    seq: dict[tuple[int, int], int] = {}
    records: list[tuple[dt.date, dict]] = []
    for day, count in reversed(days):  # oldest first, so ids grow with time
        for _ in range(count):
            published = day - dt.timedelta(days=rng.choice([0, 0, 1, 1, 2, 3]))
            key = (published.year, published.month)
            seq[key] = seq.get(key, 0) + 1
            aid = f"{published.year % 100:02d}{published.month:02d}.{seq[key]:05d}"
            n_auth = max(1, min(50, int(rng.lognormvariate(1.8, 0.75))))
            authors: list[str] = []
            while len(authors) < n_auth:
                name = pool[skewed_index(rng, len(pool))]
                if name not in authors:
                    authors.append(name)
            n_tags = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
            tags: list[str] = []
            while len(tags) < n_tags:
                t = TAGS[skewed_index(rng, len(TAGS), 1.6)]
                if t not in tags:
                    tags.append(t)
            rec: dict = {"id": aid, "title": make_title(rng), "authors": authors}
            if rng.random() < 0.3:
                rec["organization"] = ORGS[skewed_index(rng, len(ORGS), 1.5)]
            rec["abstract"] = make_abstract(rng, aid)
            rec["published"] = published
            rec["date"] = day
            rec["upvotes"] = min(999, int(rng.paretovariate(1.1)) - 1 + rng.randint(0, 5))
            rec["tags"] = tags
            links = {}
            if rng.random() < 0.5:
                links["code"] = (f"https://github.com/{rng.choice(NAME_SYLL).lower()}lab/"
                                 f"{aid.replace('.', '-')}")
            if rng.random() < 0.25:
                links["project"] = f"https://{rng.choice(NAME_SYLL).lower()}.github.io/{aid}/"
            if links:
                rec["links"] = links
            if rng.random() < 0.4:
                rec["thumbnail"] = f"https://cdn.example.org/thumbs/{aid}.png"
            records.append((day, rec))
    write_site(records, out)
    return len(records)


def generate_realistic(n: int, out: Path, seed: int = 1) -> int:
    """The long-tailed corpus of issue 11 (see realistic.py)."""
    import realistic  # here: realistic.py imports this module

    records = realistic.records(n, seed)
    write_site(records, out)
    return len(records)


def write_site(records: list[tuple[dt.date, dict]], out: Path) -> None:
    if out.exists():
        shutil.rmtree(out / "content", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "paperfeed.yaml").write_text(
        "title: Benchmark Papers\n"
        "base_url: https://example.org/papers/\n", encoding="utf-8")
    made_dirs: set[Path] = set()
    for day, rec in records:
        d = out / "content" / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.day:02d}"
        if d not in made_dirs:
            d.mkdir(parents=True, exist_ok=True)
            made_dirs.add(d)
        with open(d / f"{rec['id']}.yaml", "w", encoding="utf-8", newline="\n") as f:
            f.write(dump(rec))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, required=True, help="number of papers")
    p.add_argument("--out", type=Path, required=True, help="site directory to write")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--realistic", action="store_true",
                   help="long-tailed corpus like real Hugging Face Daily Papers (issue 11)")
    a = p.parse_args(argv)
    if a.n < 1:
        p.error("--n must be >= 1")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    count = (generate_realistic if a.realistic else generate)(a.n, a.out, a.seed)
    print(f"wrote {count} records to {os.fspath(a.out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
