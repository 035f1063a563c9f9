"""The realistic corpus of ``gen_corpus.py --realistic``: long-tailed like real data.

Real Hugging Face Daily Papers records are long-tailed: most authors, keywords
and organisations appear on one paper, a few on hundreds. This module makes
records whose distributions match those measured on 9,877 real papers
(issue 11), scaled with N: the *number* of distinct authors, keywords and
organisations and the *share* of them above each threshold stay the same.

How, in three steps, all from one seeded ``random.Random`` (standard library only):

1. a count per paper (authors, keywords) drawn from the measured shape;
2. a degree sequence per term kind (how many papers each author, keyword,
   organisation is on) that hits the measured thresholds exactly; the group
   above the highest threshold follows a Pareto tail whose exponent is solved
   so that the degrees add up to the slots of step 1;
3. the degrees are dealt at random into the papers' slots (no name twice on
   one paper).

Calibration from the six real API responses in shared/data/hf-daily-papers/:
papers before mid-2025 carry no ``ai_keywords`` and no organisation (the API
added them later); afterwards ~95% carry 3-20 keywords (mean ~10) and ~65% an
organisation. The oldest 15% of days here have no keywords and the oldest 30%
no organisation.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import unicodedata

import gen_corpus as gc

REAL_PAPERS = 9877
# distinct terms and how many of them are on >= k papers (issue 11)
AUTHOR_ANCHORS = {1: 41305, 2: 16737, 3: 9779, 5: 4640, 10: 1383}
KEYWORD_ANCHORS = {1: 42804, 2: 5568, 3: 2719, 5: 1246, 10: 478}
ORG_ANCHORS = {1: 764, 2: 381}
ABSTRACT_MEAN = 1395
NO_KEYWORDS_SHARE = 0.15  # the oldest days: before the API's ai_keywords
NO_ORG_SHARE = 0.30       # the oldest days: before the API's organization
ORG_SHARE = 0.65          # of the papers after that

# ------------------------------------------------------------------ names

PINYIN = """Zi Xuan Yi Kai Ming Zhe Hao Yu Xin Jia Jun Wei Hui Jie Tao Bo Ling Qi Yan
Rui Chen Han Yun Fei Lin Xiao Tian Peng Shu Qing Zhi Yuan Heng Long Kun Feng Cheng
Wen Jing Ying Lei Xiang Yang Hong Jian Sheng Bin Chao Dong Song Hua Liang Rong Hang
Ze Yue Nan Xi Meng Lu Si Yao Bing Qian Mu Jin Ning Kang Shuo Hong Zhen Ran Ke Jiu
Hai Guang Le Tong Xun Ao Chang""".split()
CN_SURNAMES = """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He
Lin Luo Gao Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan
Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Lü Jin Fan Fu Qian Qin Shi
Wen Xue Yan Meng Jia Xia Fang Zou Xiong Bai Kong Cui Kang Mao Qiu Qiao Hou Gu Duan
Lei Hao Long Shao Wan Zhong Tan Liao Yin Yi Chang Ni Niu Ge Hong Zhan Mo Lai Gong Pang
Fei Ji Ou Sheng Chai Zhuang Geng Bao Xing""".split()
KR_GIVEN = """Ji-ho Min-jun Seo-yeon Hyun-woo Ji-woo Seung-hyun Jae-won Soo-min Dong-hyun
Ye-jin Sung-min Hye-jin Jin-woo Eun-ji Tae-yang Yoon-seo Kyung-min Do-hyun Ha-eun
Jun-seo Min-seo Sang-woo Ji-hye Woo-jin""".split()
KR_SURNAMES = "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin Seo Kwon Hwang Ahn Song Oh".split()
MORE_FIRST = """Aarav Ishaan Sanjay Deepak Lakshmi Shreya Tanvi Karthik Nikhil Pooja Ravi
Siddharth Varun Divya Anirudh Hamid Reza Mahsa Parisa Dariush Leila Mohammad Yasmin
Karim Rania Tariq Salma Nguyễn Minh Thảo Quang Linh Duc Huong Andrés Camila Valentina
Santiago Joaquín Lucía Matías Inês João Gonçalo Beatriz Rafael Thiago Larissa Giulia
Matteo Francesca Lorenzo Chiara Alessandro Federica Jakob Lena Maximilian Johanna
Felix Anouk Sander Mikael Aino Eero Jonas Kasper Freja Ólafur Sigríður Agnieszka
Michał Katarzyna Tomasz Jiří Petra Ondřej Zsófia Gábor Ioana Andrei Mihai Yevgenia
Oleksandr Anastasia Sergey Tatiana Hiroki Haruto Yui Ren Sota Mei Kaito Nadia
Elijah Maya Isaac Hannah Caleb Zoe Aaron Leah Nathan Ruth Victor Clara Hugo Léa
Théo Chloé Rémi Margaux Étienne Amélie Cem Berk Ece Deniz Kofi Abena Yaw Adaeze
Emeka Folake Oluwaseun Wanjiru Otieno Thandiwe Sipho""".split()
MORE_LAST = """Agarwal Bhattacharya Chatterjee Mukherjee Banerjee Joshi Mehta Shah Desai
Kulkarni Pillai Krishnan Subramanian Venkatesh Hosseini Rahimi Karimi Ahmadi Mohammadi
Farahani Haddad Khalil Mansour Nasser Rahman Hossain Chowdhury Nguyễn Trần Lê Phạm
Hoàng Đặng Fernández González Sánchez Ramírez Torres Flores Díaz Morales Jiménez Ruiz
Álvarez Castillo Ferreira Almeida Carvalho Ribeiro Gomes Conti Ricci Marino Greco
Bruno Gallo Fontana Caruso Koch Richter Wolf Neumann Schwarz Zimmermann Braun Krüger
Hartmann Lange Werner Krause Lehmann de Vries van Dijk Smit Meijer de Boer Mulder
Lindqvist Berg Eriksson Virtanen Korhonen Mäkinen Jørgensen Kristensen Sørensen
Dvořák Horváth Szabó Tóth Popescu Ionescu Shevchenko Kovalenko Bondarenko Volkov
Sokolov Kuznetsov Popov Fujita Ishikawa Matsumoto Inoue Kimura Hayashi Shimizu Mori
Sato Yoshida Ogawa Goto Okada Hasegawa Murata Kaya Şahin Çelik Aydın Arslan Doğan
Boateng Owusu Asante Eze Nwosu Okonkwo Balogun Kamau Mwangi Dlamini Ndlovu Cohen Levi
Friedman Goldberg Katz Rosen Sullivan Walsh Byrne Ryan O'Connor MacDonald Campbell
Stewart Fraser Hughes Evans Edwards Collins Morgan Bell Cooper Ward Foster Howard
Brooks Bennett Gray Price Reed Russell Hayes Myers Ford Graham Wallace""".split()
INITIALS = "ABCDEFGHJKLMNPRSTVWYZ"


def fold(name: str) -> str:
    """The identity of a term, as paperfeed's urls.term_key() sees it (NFKC, case-folded)."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", name) if unicodedata.category(ch) != "Cf")
    return " ".join(text.casefold().split())


def _given_cn(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(PINYIN)
    return rng.choice(PINYIN) + rng.choice(PINYIN).lower()


def _name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return f"{_given_cn(rng)} {rng.choice(CN_SURNAMES)}"
    if r < 0.62:
        return f"{rng.choice(KR_GIVEN)} {rng.choice(KR_SURNAMES)}"
    first = rng.choice(gc.FIRST if rng.random() < 0.5 else MORE_FIRST)
    last = rng.choice(gc.LAST if rng.random() < 0.4 else MORE_LAST)
    if rng.random() < 0.1:
        return f"{first} {rng.choice(INITIALS)}. {last}"
    return f"{first} {last}"


def distinct(rng: random.Random, count: int, make) -> list[str]:
    """`count` strings from `make(rng)`, distinct after case-folding."""
    out: list[str] = []
    seen: set[str] = set()
    misses = 0
    while len(out) < count:
        s = make(rng)
        key = fold(s)
        if key in seen:
            misses += 1
            if misses > 50 * count + 1000:
                raise RuntimeError(f"cannot make {count} distinct names")
            continue
        seen.add(key)
        out.append(s)
    return out


# --------------------------------------------------------------- keywords

KEYWORDS_COMMON = """large language models|reinforcement learning|diffusion models|
vision-language models|multimodal large language models|chain-of-thought reasoning|
retrieval-augmented generation|mixture of experts|supervised fine-tuning|video generation|
text-to-image generation|benchmark|transformer|fine-tuning|instruction tuning|
in-context learning|knowledge distillation|preference optimization|direct preference optimization|
reinforcement learning from human feedback|image editing|3d reconstruction|zero-shot learning|
test-time scaling|reward model|policy optimization|GRPO|LLMs|multimodal reasoning|
mathematical reasoning|code generation|autonomous driving|embodied ai|world models|
vision-language-action models|self-supervised learning|contrastive learning|attention mechanism|
KV cache|quantization|speculative decoding|long-context modeling|tokenization|
semantic segmentation|object detection|image generation|video understanding|
speech recognition|text-to-speech|agents|multi-agent systems|tool use|web agents|
GUI agents|hallucination|alignment|safety|jailbreak attacks|interpretability|
sparse autoencoders|scaling laws|synthetic data|data curation|evaluation|human preference|
LoRA|parameter-efficient fine-tuning|model merging|continual learning|federated learning|
graph neural networks|point clouds|gaussian splatting|neural radiance fields|novel view synthesis|
depth estimation|pose estimation|motion generation|robot manipulation|imitation learning|
flow matching|autoregressive models|latent diffusion|classifier-free guidance|
denoising|super-resolution|optical character recognition|document understanding|
visual question answering|image captioning|cross-modal retrieval|embedding models|
reranking|question answering|machine translation|multilingual models|low-resource languages|
medical imaging|protein structure prediction|molecular generation|time series forecasting|
recommendation systems|reasoning models|process reward models|verifiers|curriculum learning|
self-improvement|self-reflection|planning|memory|state space models|mamba|
linear attention|efficient inference|pruning|distillation|on-policy distillation|
reward hacking|test-time training|open-source models|audio generation|music generation""".replace(
    "\n", "").split("|")
KW_MOD = """adaptive hierarchical sparse token-level multi-view cross-modal long-horizon
step-level self-supervised contrastive autoregressive latent zero-shot few-shot test-time
reward-guided physics-informed uncertainty-aware temporal spatial geometric semantic causal
dynamic efficient scalable robust federated multi-agent query-aware instruction-conditioned
verification-gated open-vocabulary fine-grained training-free lightweight parameter-efficient
on-policy off-policy variational probabilistic decoupled unified progressive interleaved
rule-based agentic grounded visual textual multilingual streaming real-time offline
bidirectional recursive modular layer-wise context-aware memory-augmented""".split()
KW_DOM = """token video image reward policy attention memory scene motion speech audio
graph code math retrieval agent tool language vision depth point-cloud mesh protein molecule
layout caption query dialogue knowledge skill trajectory prompt context cache expert feature
gradient embedding world robot planning search preference camera texture style
document table chart""".split()
KW_HEAD = """modeling generation estimation alignment pruning compression distillation
optimization reasoning segmentation retrieval representation tokenization synthesis
evaluation benchmark encoder decoder framework model dataset learning adaptation control
editing prediction tracking reconstruction understanding caching routing scheduling
verification mechanism module loss fusion""".split()


def _keyword(rng: random.Random, rank_share: float) -> str:
    """A keyword phrase; popular ranks (small `rank_share`) get shorter phrases."""
    r = rng.random()
    if rank_share > 0.2 and r < 0.18:  # the specific tail: names of models and benchmarks
        base = rng.choice(gc.NAME_SYLL) + rng.choice(gc.NAME_SYLL).lower()
        return base + rng.choice(["", "-Bench", "-VL", "-R1", "-7B", "Net", "-Pro", "-3",
                                  "-8M", "Eval", "-Zero", "GPT"])
    if rank_share < 0.02 or r < 0.3:
        phrase = f"{rng.choice(KW_DOM)} {rng.choice(KW_HEAD)}"
        return phrase.replace("-", " ") if rng.random() < 0.5 else phrase
    phrase = f"{rng.choice(KW_MOD)} {rng.choice(KW_DOM)} {rng.choice(KW_HEAD)}"
    if rng.random() < 0.03:
        word = phrase.split()[-1]
        phrase += f" ({word[:2].upper()}{rng.choice(INITIALS)})"
    return phrase.replace("-", " ", 1) if rng.random() < 0.3 else phrase


def keyword_list(rng: random.Random, count: int) -> list[str]:
    """`count` distinct keywords, most popular first."""
    out = list(KEYWORDS_COMMON[:count])
    seen = {fold(k) for k in out}
    while len(out) < count:
        k = _keyword(rng, len(out) / count)
        if fold(k) not in seen:
            seen.add(fold(k))
            out.append(k)
    return out


# ---------------------------------------------------------- organisations

MORE_ORGS = """OpenAI|Anthropic|Google Research|Google|Meta FAIR|Microsoft|Microsoft Research Asia|
Amazon AGI|IBM Research|Intel Labs|Samsung Research|LG AI Research|NAVER Cloud|Kakao|Sony AI|
Adobe Research|Snap Inc.|Qualcomm AI Research|Xiaomi|Meituan|Kuaishou Technology|Kling Team|
JD Explore Academy|Ant Group|SenseTime|SenseNova|iFlytek|MiniMax|StepFun|01.AI|Baichuan|
InternLM|Shanghai Jiao Tong University|Fudan University|Zhejiang University|Nanjing University|
University of Science and Technology of China|Harbin Institute of Technology|Renmin University of China|
Beihang University|Wuhan University|Sun Yat-sen University|The Chinese University of Hong Kong|
The University of Hong Kong|HKUST|National University of Singapore|Nanyang Technological University|
University of California, Berkeley|University of California at San Diego|UCLA|
University of Washington|Princeton University|Harvard University|Yale University|
Columbia University|New York University|Cornell University|University of Illinois Urbana-Champaign|
University of Michigan|University of Texas at Austin|Georgia Institute of Technology|
University of Maryland College Park|University of Toronto|Mila|McGill University|
University of Cambridge|Imperial College London|University College London|University of Edinburgh|
Max Planck Institute for Informatics|Technical University of Munich|LMU Munich|EPFL|
University of Amsterdam|KU Leuven|Inria|Sorbonne Université|Université de Montréal|
Seoul National University|Yonsei University|KAIST AI|University of Tokyo|Kyoto University|
RIKEN|Indian Institute of Science|IIT Bombay|Technion|Weizmann Institute of Science|
Tel Aviv University|MBZUAI|KAUST|Midea AI Research Center|FrameX-AI|Black Forest Labs|
Stability AI|Runway|Cohere|AI21 Labs|Together AI|Nous Research|EleutherAI|LAION|BigScience|
ServiceNow|Databricks|Snowflake|Character.AI|Perplexity|xAI|Reka AI|Liquid AI|Zyphra""".replace(
    "\n", "").split("|")
PLACES = """Aurora Lakeside Northfield Riverton Westbrook Hillcrest Easton Fairview Kingsport
Brightwater Oakridge Silverlake Greenford Redwood Clearwater Stonebridge Maplewood Ashford
Highland Bayview Pinecrest Elmstead Harborview Summit Crestwood Glenwood Meadowbrook
Sunnyvale Zürichsee Kraków Lyon Porto Valencia Bologna Göteborg Tampere Łódź Brno Cluj
Izmir Shenzhen Hangzhou Chengdu Xiamen Suzhou Hefei Busan Daejeon Osaka Sendai Pune Hyderabad
Lagos Nairobi Accra Monterrey Curitiba Córdoba""".split()


def _org(rng: random.Random) -> str:
    place = rng.choice(PLACES)
    syl = rng.choice(gc.NAME_SYLL) + rng.choice(gc.NAME_SYLL).lower()
    return rng.choice([
        f"University of {place}", f"{place} University", f"{place} Institute of Technology",
        f"{syl} AI", f"{syl} Labs", f"{syl} Research", f"{syl}-AI", f"{syl} Team",
        f"{place} AI Lab", f"{syl}{rng.choice(['', 'Tech', 'Mind', 'Vision'])}",
    ])


def org_list(rng: random.Random, count: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for name in gc.ORGS + MORE_ORGS:
        if len(out) < count and fold(name) not in seen:
            seen.add(fold(name))
            out.append(name)
    rest = distinct(rng, count - len(out) + len(seen), _org) if len(out) < count else []
    out += [o for o in rest if fold(o) not in seen][:count - len(out)]
    # popular ranks are mixed: the famous names are not always the busiest
    head = out[:60]
    rng.shuffle(head)
    return head + out[60:]


# ------------------------------------------------------------ distributions


def scaled(anchors: dict[int, int], n: int) -> dict[int, int]:
    f = n / REAL_PAPERS
    out, last = {}, None
    for k in sorted(anchors):
        c = max(1, round(anchors[k] * f))
        c = c if last is None else min(c, last)
        out[k] = last = c
    return out


def degree_sequence(anchors: dict[int, int], cap: int, total: int | None = None) -> list[int]:
    """How many papers each term is on, most first: exactly anchors[k] terms on >= k
    papers for each anchor k, log-log interpolation between anchors, and above the
    highest anchor a Pareto tail (capped at `cap`). The tail's exponent continues
    the slope of the last two anchors, or, given `total`, is the one that makes the
    degrees sum to `total` (as close as `cap` and the anchors allow)."""
    ks = sorted(anchors)
    top = ks[-1]
    logk = [math.log(k) for k in ks]

    def at_least(k: int) -> int:  # terms on >= k papers, for 1 <= k <= top
        i = bisect.bisect_right(ks, k) - 1
        if ks[i] == k:
            return anchors[k]
        t = (math.log(k) - logk[i]) / (logk[i + 1] - logk[i])
        return round(math.exp((1 - t) * math.log(anchors[ks[i]]) + t * math.log(anchors[ks[i + 1]])))

    lower: list[int] = []
    for k in range(top - 1, 0, -1):
        lower += [k] * (at_least(k) - at_least(k + 1))
    m = anchors[top]
    cap = max(cap, top)

    def tail(alpha: float) -> list[int]:
        return [min(cap, int(top * ((i + 0.5) / m) ** (-1 / alpha))) for i in range(m)]

    if total is None:
        alpha = (math.log(anchors[ks[-2]]) - math.log(m)) / (logk[-1] - logk[-2])
        return tail(alpha) + lower
    rest = total - sum(lower)
    lo, hi = 0.2, 30.0  # the sum falls as alpha grows
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(tail(mid)) > rest:
            lo = mid
        else:
            hi = mid
    degrees = tail(hi)
    diff = rest - sum(degrees)
    i = 0
    while diff and i < 4 * m + 4:  # spread the rounding residual over the tail
        j = i % m
        step = 1 if diff > 0 else -1
        if top <= degrees[j] + step <= cap:
            degrees[j] += step
            diff -= step
        i += 1
    return sorted(degrees, reverse=True) + lower


def reconcile(counts: list[int], target: int, rng: random.Random, lo: int, hi: int) -> None:
    """Add or take single slots at random until `counts` sums to `target`."""
    diff = target - sum(counts)
    idx = [i for i, c in enumerate(counts) if c > 0]
    guard = 0
    while diff and idx and guard < 100 * len(counts) + abs(diff) * 100:
        guard += 1
        i = rng.choice(idx)
        step = 1 if diff > 0 else -1
        if lo <= counts[i] + step <= hi:
            counts[i] += step
            diff -= step


def deal(counts: list[int], degrees: list[int], rng: random.Random) -> list[list[int]]:
    """Term indices for each paper: term t on degrees[t] papers, paper p with
    counts[p] distinct terms (a clash that cannot be swapped away drops a slot)."""
    tokens = [t for t, d in enumerate(degrees) for _ in range(d)]
    rng.shuffle(tokens)
    out, pos = [], 0
    for c in counts:
        mine: list[int] = []
        seen: set[int] = set()
        for j in range(pos, min(pos + c, len(tokens))):
            t = tokens[j]
            if t in seen:
                for _ in range(50):
                    k = rng.randrange(pos + c, len(tokens)) if pos + c < len(tokens) else None
                    if k is None:
                        break
                    if tokens[k] not in seen:
                        tokens[j], tokens[k] = tokens[k], t
                        t = tokens[j]
                        break
                if t in seen:
                    continue
            seen.add(t)
            mine.append(t)
        out.append(mine)
        pos += c
    return out


def author_counts(rng: random.Random, n: int) -> list[int]:
    """Authors per paper: log-normal body (median 7, p90 16), a 3% heavy tail
    of 40-200 (technical reports), and a few huge collaborations (the largest has 664)."""
    counts = []
    for _ in range(n):
        if rng.random() < 0.03:
            c = min(200, int(40 * rng.paretovariate(1.3)))
        else:
            c = max(1, min(40, round(rng.lognormvariate(math.log(6.6), 0.62))))
        counts.append(c)
    huge = max(1, round(3 * n / REAL_PAPERS))
    for j, i in enumerate(rng.sample(range(n), huge)):
        counts[i] = 664 if j == 0 else rng.randint(250, 500)
    return counts


# ----------------------------------------------------------------- records


def day_counts(rng: random.Random, n: int) -> list[tuple[dt.date, int]]:
    """[(day, count)], newest first: 30-60 papers a weekday, most weekends skipped."""
    out = []
    day = gc.END_DATE
    left = n
    while left > 0:
        if day.weekday() < 5:
            c = rng.randint(30, 60)
        else:
            c = rng.randint(2, 12) if rng.random() < 0.12 else 0
        if c:
            c = min(c, left)
            out.append((day, c))
            left -= c
        day -= dt.timedelta(days=1)
    return out


FILLERS = ["by {p}%", "{x}x faster", "on {b} benchmarks", "with {m}B parameters",
           "up to {p}% fewer tokens", "across {b} languages"]


def make_abstract(rng: random.Random, aid: str) -> str:
    """Plain prose of ~1,395 characters on average; few have math or links."""
    target = max(300, min(2600, int(rng.gauss(ABSTRACT_MEAN - 75, 330))))
    sentences: list[str] = []
    length = 0
    while length < target - 40:
        words = [rng.choice(gc.WORDS) for _ in range(rng.randint(12, 30))]
        if rng.random() < 0.35:
            words.insert(rng.randint(1, len(words)), rng.choice(FILLERS).format(
                p=f"{rng.uniform(1, 60):.1f}", x=rng.randint(2, 12), b=rng.randint(3, 40),
                m=rng.choice([1, 3, 7, 8, 14, 32, 70])))
        s = " ".join(words)
        sentences.append(s[:1].upper() + s[1:] + ".")
        length += len(sentences[-1]) + 1
    if rng.random() < 0.12:
        i = rng.randrange(len(sentences))
        sentences[i] = sentences[i][:-1] + f" where {rng.choice(gc.MATH)}."
    if rng.random() < 0.25:
        url = rng.choice(gc.LINK_HOSTS).format(slug=rng.choice(gc.NAME_SYLL).lower(), aid=aid)
        sentences.append(f"Code is available at {url}.")
    text = " ".join(sentences)
    if len(text) > 900 and rng.random() < 0.2:
        cut = text.find(". ", len(text) // 2)
        if cut > 0:
            text = text[:cut + 1] + "\n\n" + text[cut + 2:]
    return text


def upvotes(rng: random.Random) -> int:
    return max(0, min(3000, int(rng.lognormvariate(2.0, 1.1)) - 1))


def records(n: int, seed: int) -> list[tuple[dt.date, dict]]:
    rng = random.Random(f"paperfeed-bench-realistic:{seed}:{n}")
    days = day_counts(rng, n)
    slots = [day for day, count in reversed(days) for _ in range(count)]  # oldest first

    a_counts = author_counts(rng, n)
    a_anchors = scaled(AUTHOR_ANCHORS, n)
    a_deg = degree_sequence(a_anchors, cap=max(10, n // 60), total=sum(a_counts))
    reconcile(a_counts, sum(a_deg), rng, 1, 700)
    names = distinct(rng, len(a_deg), _name)
    authors = deal(a_counts, a_deg, rng)

    has_kw = [i >= NO_KEYWORDS_SHARE * n and rng.random() < 0.97 for i in range(n)]
    k_anchors = scaled(KEYWORD_ANCHORS, n)
    k_deg = degree_sequence(k_anchors, cap=max(10, n // 8))
    mean = sum(k_deg) / max(1, sum(has_kw))
    k_counts = [max(1, min(25, round(rng.gauss(mean, 3.5)))) if h else 0 for h in has_kw]
    reconcile(k_counts, sum(k_deg), rng, 1, 40)
    kw_names = keyword_list(rng, len(k_deg))
    keywords = deal(k_counts, k_deg, rng)

    has_org = [i >= NO_ORG_SHARE * n and rng.random() < ORG_SHARE for i in range(n)]
    o_anchors = scaled(ORG_ANCHORS, n)
    o_anchors[1] = min(o_anchors[1], sum(has_org))
    o_anchors[2] = min(o_anchors[2], o_anchors[1])
    o_deg = degree_sequence(o_anchors, cap=max(2, n // 25), total=sum(has_org))
    org_names = org_list(rng, len(o_deg))
    orgs = deal([1 if h else 0 for h in has_org], o_deg, rng)

    seq: dict[tuple[int, int], int] = {}
    out = []
    for i, day in enumerate(slots):
        published = day - dt.timedelta(days=rng.choice([0, 0, 1, 1, 3, 4]))
        key = (published.year, published.month)
        seq[key] = seq.get(key, 0) + 1
        aid = f"{published.year % 100:02d}{published.month:02d}.{seq[key]:05d}"
        rec: dict = {"id": aid, "title": gc.make_title(rng),
                     "authors": [names[t] for t in authors[i]]}
        if orgs[i]:
            rec["organization"] = org_names[orgs[i][0]]
        rec["abstract"] = make_abstract(rng, aid)
        rec["published"] = published
        rec["date"] = day
        rec["upvotes"] = upvotes(rng)
        if keywords[i]:
            rec["tags"] = [kw_names[t] for t in keywords[i]]
        links = {}
        if rng.random() < 0.55:
            links["code"] = f"https://github.com/{rng.choice(gc.NAME_SYLL).lower()}lab/{aid.replace('.', '-')}"
        if rng.random() < 0.3:
            links["project"] = f"https://{rng.choice(gc.NAME_SYLL).lower()}.github.io/{aid}/"
        if links:
            rec["links"] = links
        if rng.random() < 0.95:
            rec["thumbnail"] = f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{aid}.png"
        out.append((day, rec))
    return out
