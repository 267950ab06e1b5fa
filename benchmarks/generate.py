"""Generate a realistic synthetic corpus of reports from the paragraphs and sentences of a seed corpus.

    python benchmarks/generate.py --n 5000 [--seed 0] [--seeds seeds] [--out benchmarks/work/corpus_5000]

Every report is built like the seeds are: a title line naming the agency and the year, an
introduction, numbered work sections (``一、`` with ``（一）`` sub-sections), a problems section, a
plans section for the next year, and a signature block (agency, signing date). Headings,
paragraphs and sentences are drawn from the seed corpus by section role (front, work, problems,
plans) using tifa's own reading (``read_corpus`` + ``split_units``), so any folder of reports
works as seeds. To keep the text from being a handful of sentences repeated verbatim:

* some sentences are spliced from the clauses of two seed sentences (at ``，`` / ``；``);
* words are swapped for other seed words of the same part of speech (``--swap``, default 0.15
  of the words of two characters or more: 加强组织领导 -> 健全组织保障), so that clauses, and the
  stretches jieba's HMM has to guess, repeat about as often as in real reports of one
  province rather than verbatim (a memo in the tokenizer would otherwise look far better than
  it is); ``--swap 0`` keeps seed clauses intact;
* every number is redrawn (``3月份`` -> ``7月份``, ``11次`` -> ``26次``);
* the seed's own region names (as tifa extracts them) are replaced by the report's region.

Metadata varies: region (cities of a province), year (2018-2024) and agency (departments);
each ``(region, agency, year)`` is used at most once while there are combinations left. About a
third of the files are hard-wrapped with blank lines between lines, as text pulled out of a PDF
is. Files are UTF-8 ``.txt`` named ``r00001.txt`` ...; a manifest beside the folder,
``<folder>.manifest.csv`` (columns ``file``, ``region``, ``year``, ``agency``), describes them
(outside the folder, so that tifa does not read it as a table of reports). The same ``--seed`` always writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Prefecture-level cities the synthetic reports come from (one province's worth).
REGIONS = ("济南市", "青岛市", "淄博市", "枣庄市", "东营市", "烟台市", "潍坊市", "济宁市",
           "泰安市", "威海市", "日照市", "临沂市", "德州市", "滨州市", "菏泽市", "聊城市")
#: Departments: (full name after the city, short name used in titles).
AGENCIES = (
    ("人民政府外事办公室", "市外办"), ("司法局", "市司法局"), ("教育局", "市教育局"),
    ("公安局", "市公安局"), ("民政局", "市民政局"), ("财政局", "市财政局"),
    ("人力资源和社会保障局", "市人社局"), ("自然资源和规划局", "市自然资源和规划局"),
    ("生态环境局", "市生态环境局"), ("住房和城乡建设局", "市住建局"),
    ("交通运输局", "市交通运输局"), ("水利局", "市水利局"), ("农业农村局", "市农业农村局"),
    ("商务局", "市商务局"), ("文化和旅游局", "市文旅局"), ("卫生健康委员会", "市卫健委"),
    ("退役军人事务局", "市退役军人事务局"), ("应急管理局", "市应急局"),
    ("审计局", "市审计局"), ("市场监督管理局", "市市场监管局"), ("统计局", "市统计局"),
    ("医疗保障局", "市医保局"), ("行政审批服务局", "市行政审批服务局"),
    ("发展和改革委员会", "市发展改革委"), ("工业和信息化局", "市工信局"),
    ("科学技术局", "市科技局"), ("城市管理局", "市城管局"), ("林业局", "市林业局"),
    ("体育局", "市体育局"), ("信访局", "市信访局"),
)
YEARS = tuple(range(2018, 2025))
#: Kinds of report, as a title ends.
KINDS = ("法治政府建设情况报告", "法治政府建设工作情况报告", "法治政府建设年度报告")
#: What a ``关于…情况的报告`` title is about.
TOPICS = ("法治政府建设", "法治政府建设工作", "推进依法行政工作")

_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[）)])\s*")
_DIGITS = re.compile(r"\d+")
_CLAUSE = re.compile(r"(?<=[，；])")


@dataclass
class Pools:
    """What reports are built from, by section role."""

    # sentences are (text, year of the seed report it comes from), so years can be shifted
    intro: list[tuple] = field(default_factory=list)        # front-matter sentences
    lead_ins: list[tuple] = field(default_factory=list)     # "现就有关情况报告如下：" ...
    headings: dict[str, list[str]] = field(default_factory=dict)   # role -> level-1 headings
    subheadings: dict[str, list[str]] = field(default_factory=dict)  # role -> level-2 headings
    sentences: dict[str, list[tuple]] = field(default_factory=dict)  # role -> body sentences
    regions: list[str] = field(default_factory=list)        # the seeds' own region names
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # POS -> seed words
    segmented: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # text -> (word, pos)


def _strip_numbering(heading: str) -> str:
    return _NUMBERING.sub("", heading).strip()


def load_pools(seeds: Path) -> Pools:
    """Read the seed corpus with tifa and sort its sentences by role."""
    import pandas as pd

    from tifa.ingest.corpus import read_corpus
    from tifa.ingest.units import split_units

    documents, _ = read_corpus(seeds)
    units = split_units(documents)
    pools = Pools()
    for col in ("region",):
        for value in documents[col].dropna().unique():
            name = str(value)
            pools.regions.append(name)
            if name.endswith("市") and len(name) > 2:
                pools.regions.append(name[:-1])  # 聊城市 and 聊城
    pools.regions.sort(key=len, reverse=True)
    years = dict(zip(documents["doc_id"], documents["year"]))
    for row in units.itertuples(index=False):
        seed_year = years.get(row.doc_id)
        seed_year = None if seed_year is None or seed_year is pd.NA else int(seed_year)
        text = str(row.text).strip()
        if not text:
            continue
        role = row.section_role
        if row.is_heading:
            target = pools.headings if row.section_level == 1 else pools.subheadings
            stripped = _strip_numbering(text).rstrip("。")
            if stripped and not _DIGITS.search(stripped):  # year headings are regenerated
                target.setdefault(role, []).append(stripped)
        elif role == "front" and row.sent_id > 0:
            (pools.lead_ins if text.endswith(("：", ":")) else pools.intro).append((text, seed_year))
        elif role in ("work", "problems", "plans"):
            if len(text) >= 8:
                pools.sentences.setdefault(role, []).append((text, seed_year))
    for role in ("work", "problems", "plans"):
        pools.sentences.setdefault(role, [])
        if not pools.sentences[role]:
            pools.sentences[role] = [s for v in pools.sentences.values() for s in v]
    if not any(pools.sentences.values()):
        raise SystemExit(f"no body sentences found in {seeds}")
    if not pools.intro:
        pools.intro = pools.sentences["work"][:3]
    if not pools.lead_ins:
        pools.lead_ins = [("现将有关情况报告如下：", None)]
    _segment(pools)
    return pools


#: Parts of speech whose words may be swapped (nouns, verbs, verbal nouns, adjectives, adverbs).
SWAP_POS = ("n", "v", "vn", "a", "ad", "d", "nz", "l", "i")


def _segment(pools: Pools) -> None:
    """Cut every body sentence once with jieba (POS) and collect the seed vocabulary by POS."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    vocab: dict[str, set[str]] = {}
    for pool in [pools.intro, *pools.sentences.values()]:
        for text, _ in pool:
            if text in pools.segmented:
                continue
            pairs = [(p.word, p.flag) for p in jieba.posseg.cut(text)]
            pools.segmented[text] = pairs
            for word, flag in pairs:
                if flag in SWAP_POS and len(word) >= 2 and not _DIGITS.search(word):
                    vocab.setdefault(flag, set()).add(word)
    pools.words = {flag: tuple(sorted(words)) for flag, words in vocab.items() if len(words) > 1}


def _cn(n: int) -> str:
    """1..99 in Chinese numerals (for heading numbers)."""
    if n <= 10:
        return _CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return (_CN_NUM[tens - 1] if tens > 1 else "") + "十" + (_CN_NUM[ones - 1] if ones else "")


class _Writer:
    """Builds one report's text with one random generator."""

    def __init__(self, rng: random.Random, pools: Pools, region: str, year: int, swap: float):
        self.swap = swap
        self.rng = rng
        self.pools = pools
        self.region = region
        self.city = region.removesuffix("市")
        self.year = year

    def vary(self, sentence: tuple) -> str:
        """A seed sentence with numbers redrawn, years shifted and regions replaced."""
        rng = self.rng
        text, seed_year = sentence
        shift = self.year - seed_year if seed_year is not None else 0
        if self.swap > 0:
            text = self.swap_words(text)

        def number(m: re.Match) -> str:
            digits = m.group(0)
            if len(digits) == 4 and 1990 <= int(digits) <= 2035:
                return str(int(digits) + shift)
            if len(digits) <= 2:
                return str(rng.randint(1, 12 if int(digits) <= 12 else 99))
            return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

        text = _DIGITS.sub(number, text)
        for name in self.pools.regions:
            text = text.replace(name, self.region if name.endswith("市") else self.city)
        return text

    def swap_words(self, text: str) -> str:
        pairs = self.pools.segmented.get(text)
        if pairs is None:  # a spliced sentence: rebuild from the parts' segmentations
            return text
        rng, words = self.rng, self.pools.words
        out = []
        for word, flag in pairs:
            if flag in words and len(word) >= 2 and rng.random() < self.swap:
                word = rng.choice(words[flag])
            out.append(word)
        return "".join(out)

    def sentence(self, role: str) -> str:
        pool = self.pools.sentences[role]
        first = self.rng.choice(pool)
        if self.rng.random() < 0.3:
            second = self.rng.choice(pool)
            a = _CLAUSE.split(self.swap_words(first[0]) if self.swap else first[0])
            b = _CLAUSE.split(self.swap_words(second[0]) if self.swap else second[0])
            if len(a) > 1 and len(b) > 1:
                cut_a = self.rng.randint(1, len(a) - 1)
                cut_b = self.rng.randint(1, len(b) - 1)
                first = ("".join(a[:cut_a] + b[cut_b:]), first[1])
        return self.vary(first)

    def paragraph(self, role: str, lo: int, hi: int) -> str:
        return "".join(self.sentence(role) for _ in range(self.rng.randint(lo, hi)))

    def heading(self, role: str, level: int, fallback: str) -> str:
        pool = (self.pools.headings if level == 1 else self.pools.subheadings).get(role)
        if not pool:
            pool = self.pools.subheadings.get("work") or [fallback]
        return self.rng.choice(pool)

    def body(self) -> list[str]:
        rng, lines, n = self.rng, [], 0
        intro = rng.sample(self.pools.intro, min(len(self.pools.intro), rng.randint(1, 3)))
        lines.append("".join(self.vary(s) for s in intro))
        lines.append(self.vary(rng.choice(self.pools.lead_ins)))
        n_work = rng.choice((1, 2, 2, 3))
        for w in range(n_work):
            n += 1
            title = f"{self.year}年主要工作" if w == 0 and rng.random() < 0.4 else self.heading("work", 1, "主要工作")
            lines.append(f"{_cn(n)}、{title}")
            for k in range(rng.randint(2, 5)):
                head = self.heading("work", 2, "推进依法行政")
                if rng.random() < 0.5:  # heading running on into its paragraph
                    lines.append(f"（{_cn(k + 1)}）{head}。{self.paragraph('work', 2, 4)}")
                else:
                    lines.append(f"（{_cn(k + 1)}）{head}")
                    lines.append(self.paragraph("work", 2, 5))
        n += 1
        lines.append(f"{_cn(n)}、" + rng.choice((self.heading("problems", 1, "存在的问题"), "存在的问题和不足")))
        for _ in range(rng.randint(1, 2)):
            lines.append(self.paragraph("problems", 2, 4))
        n += 1
        lines.append(f"{_cn(n)}、{self.year + 1}年工作" + rng.choice(("思路", "计划", "打算", "安排")))
        for k in range(rng.randint(2, 4)):
            lines.append(f"（{_cn(k + 1)}）{self.heading('plans', 2, '持续推进法治政府建设')}")
            lines.append(self.paragraph("plans", 1, 3))
        return lines


def _wrap(lines: list[str], width: int) -> str:
    """Hard-wrap every line at ``width`` characters with blank lines between, as in PDF text."""
    out = []
    for line in lines:
        for i in range(0, len(line), width):
            out.append(line[i:i + width])
    return "\n\n".join(out) + "\n"


def _combinations(rng: random.Random, n: int) -> list[tuple[str, int, int]]:
    """n (region, agency index, year) triples, each used once while any is unused."""
    combos = [(r, a, y) for r in REGIONS for a in range(len(AGENCIES)) for y in YEARS]
    out: list[tuple[str, int, int]] = []
    while len(out) < n:
        batch = combos[:]
        rng.shuffle(batch)
        out.extend(batch[: n - len(out)])
    return out


def manifest_path(folder: str | Path) -> Path:
    """Where :func:`generate` writes the manifest of ``folder``: ``<folder>.manifest.csv``."""
    folder = Path(folder)
    return folder.with_name(folder.name + ".manifest.csv")


def generate(n: int, out: str | Path, *, seed: int = 0, seeds: str | Path = ROOT / "seeds",
             swap: float = 0.15) -> Path:
    """Write ``n`` synthetic reports into ``out`` and their manifest beside it; return its path.

    Parameters
    ----------
    n : int
        Number of reports.
    out : str or Path
        Folder to write (created; existing ``r*.txt`` files in it are replaced).
    seed : int, default 0
        Seed of :class:`random.Random`: the same seed gives byte-identical files.
    seeds : str or Path, default the project's ``seeds/``
        The corpus whose headings, paragraphs and sentences are recombined.
    swap : float, default 0.15
        Probability that a word (two characters or more, a content part of speech) is replaced
        by another seed word of the same part of speech.

    Returns
    -------
    Path
        The manifest (``file, region, year, agency``).
    """
    pools = load_pools(Path(seeds))
    rng = random.Random(seed)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("r*.txt"):
        old.unlink()
    rows = []
    for i, (region, a, year) in enumerate(_combinations(rng, n), start=1):
        full, short = AGENCIES[a]
        agency = f"{region}{full}"
        writer = _Writer(rng, pools, region, year, swap)
        title = rng.choice((f"{short}{year}年{rng.choice(KINDS)}",
                            f"{agency}关于{year}年{rng.choice(TOPICS)}情况的报告",
                            f"{region}{full}{year}年{rng.choice(KINDS)}"))
        signed = f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"
        lines = [title, *writer.body(), agency, signed]
        text = _wrap(lines, rng.randint(26, 32)) if rng.random() < 1 / 3 else "\n".join(lines) + "\n"
        name = f"r{i:05d}.txt"
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
        rows.append({"file": name, "region": region, "year": year, "agency": agency})
    manifest = manifest_path(folder)
    with open(manifest, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "region", "year", "agency"])
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="number of reports (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--swap", type=float, default=0.15,
                        help="share of content words swapped for same-POS seed words (default 0.15)")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="seed corpus folder")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default benchmarks/work/corpus_<n>)")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "work" / f"corpus_{args.n}"
    manifest = generate(args.n, out, seed=args.seed, seeds=args.seeds, swap=args.swap)
    size = sum(p.stat().st_size for p in out.glob("r*.txt"))
    print(f"{args.n} reports, {size / 1e6:.1f} MB in {out} (manifest {manifest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
