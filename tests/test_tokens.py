"""Tests of tifa.tokenize: segmentation rules, the tokens contract, cache, parallelism, helpers."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from tifa import paths, schemas
from tifa.tokenize import (attach_counts, backends, cache, clear_cache, core, default_cache_dir,
                           filter_tokens, tokenize)
from tifa.tokenize.lexicon import load_lexicon, read_userdict

REQUIRED_TERMS = [
    "习近平法治思想", "习近平新时代中国特色社会主义思想", "法治政府建设", "依法行政", "合法性审查",
    "重大行政决策", "规范性文件", "政务公开", "领事保护", "法律顾问", "公职律师", "国家安全教育日",
]

# real sentences (from the seeds and from reports of the same kind) holding the required terms
SENTENCES = [
    "深入学习贯彻习近平法治思想，推进法治政府建设。",
    "市外事办坚持以习近平新时代中国特色社会主义思想为指导，不断提高法治政府建设实效。",
    "努力提高全办依法行政、依规办事工作水平。",
    "及时传达关于行政规范性文件制定及重大行政决策合法性审查等相关规定及文件精神。",
    "邀请法律顾问定期开展法治教育，参与行政决策合法性审查，不断夯实依规行政之基。",
    "积极推进政务公开制度化规范化建设，设立信息公开三级责任人。",
    "主动融入友城结好及企业走出去、聊籍人士海外领事保护等重点工作。",
    "切实规范法律顾问、公职律师配备使用。",
    "到社区开展“4·15 国家安全教育日”等法治宣传主题党日活动。",
    "围绕国家安全教育日、国家宪法日等重要节点，积极打造涉外法治宣传活动品牌。",
    "安排顾问律师协助进行合法性审核，规范重大行政决策行为。",
    "健全完善法律顾问及公职律师有效机制。",
    "使规范性文件制定程序进一步完善。",
]


def make_units(docs: dict[str, list[str]]) -> pd.DataFrame:
    rows = []
    for doc_id, sents in docs.items():
        for i, text in enumerate(sents):
            rows.append({"doc_id": doc_id, "section_id": i // 4, "para_id": i // 2,
                         "sent_id": i, "text": text})
    return pd.DataFrame(rows)


def seed_units() -> pd.DataFrame:
    """The seeds as crude units: lines re-joined (PDF line breaks), cut at 。！？；."""
    docs = {}
    for path in sorted(paths.default_corpus().glob("*.txt")):
        text = re.sub(r"\s*\n\s*", "", path.read_text(encoding="utf-8"))
        docs[path.stem] = [s for s in re.split(r"(?<=[。！？；])", text) if s.strip()]
    return make_units(docs)


def synthetic_units(n_docs: int, per_doc: int, seed: int = 0) -> pd.DataFrame:
    """Short documents made by recombining seed sentences (and the SENTENCES above)."""
    pool = seed_units()["text"].tolist() + SENTENCES
    rng = np.random.default_rng(seed)
    return make_units({f"syn/{d:03d}": [pool[k] for k in rng.choice(len(pool), per_doc)]
                       for d in range(n_docs)})


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def seeds(lexicon):
    units = seed_units()
    return units, tokenize(units, lexicon=lexicon, cache=False, n_jobs=1)


def token_spans(text: str, toks: list[str]) -> list[tuple[int, int, str]]:
    spans, cursor = [], 0
    for tok in toks:  # kept tokens appear in order; dropped ones leave gaps
        start = text.index(tok, cursor)
        spans.append((start, start + len(tok), tok))
        cursor = start + len(tok)
    return spans


def covered(text: str, toks: list[str], term: str, rivals: frozenset = frozenset()) -> bool:
    """Every occurrence of ``term`` in ``text`` lies inside a single token, or else lost to a
    ``rivals`` term that overlaps it (in 涉外法治宣传教育 only one of 涉外法治 and 法治宣传教育
    can be whole)."""
    spans = token_spans(text, toks)
    for m in re.finditer(re.escape(term), text):
        s, e = m.span()
        if any(a <= s and e <= b for a, b, _ in spans):
            continue
        if not any(w in rivals and a < e and s < b for a, b, w in spans):
            return False
    return True


# --- the contract ---------------------------------------------------------------------------


def test_columns_and_dtypes_follow_the_schema(seeds):
    _, toks = seeds
    assert list(toks.columns) == schemas.TOKENS
    for col in ["section_id", "para_id", "sent_id", "position"]:
        assert toks[col].dtype == np.int64, col
    assert toks["stop"].dtype == bool and toks["boilerplate"].dtype == bool
    for col in ["doc_id", "token", "pos"]:
        assert pd.api.types.is_string_dtype(toks[col]), col
    assert toks["token"].str.len().min() >= 1
    assert len(toks) > 1500


def test_document_then_reading_order_and_positions(lexicon):
    units = make_units({"b": ["第一句讲法治。", "第二句讲政府。"], "a": ["只有一句话。"]})
    shuffled = units.iloc[[1, 2, 0]]  # rows: b/1, a/0, b/0
    toks = tokenize(shuffled, lexicon=lexicon, cache=False)
    assert list(pd.unique(toks["doc_id"])) == ["b", "a"]  # order of first appearance
    b = toks[toks["doc_id"] == "b"]
    assert b["sent_id"].tolist() == sorted(b["sent_id"])  # reading order inside a document
    assert "法治" in b["token"].tolist()[:4] and b["token"].iloc[-1] == "政府"
    for _, grp in toks.groupby("doc_id"):
        assert grp["position"].tolist() == list(range(len(grp)))


def test_ids_come_from_the_units():
    units = pd.DataFrame({"doc_id": ["d", "d"], "section_id": [3, 5], "para_id": [7, 9],
                          "sent_id": [0, 1], "text": ["依法行政。", "政务公开。"], "extra": [1, 2]})
    toks = tokenize(units, lexicon=load_lexicon(), cache=False)
    assert toks[["section_id", "para_id", "sent_id", "token"]].values.tolist() == [
        [3, 7, 0, "依法行政"], [5, 9, 1, "政务公开"]]


def test_inputs_are_not_modified(lexicon):
    units = make_units({"d": SENTENCES[:3]})
    before = units.copy()
    tokenize(units, lexicon=lexicon, cache=False)
    pd.testing.assert_frame_equal(units, before)


def test_missing_column_and_empty_input(lexicon):
    with pytest.raises(ValueError, match="para_id"):
        tokenize(pd.DataFrame({"doc_id": ["d"], "section_id": [0], "sent_id": [0],
                               "text": ["x"]}), lexicon=lexicon, cache=False)
    empty = tokenize(make_units({}).reindex(columns=core.REQUIRED_UNITS),
                     lexicon=lexicon, cache=False)
    assert list(empty.columns) == schemas.TOKENS and len(empty) == 0


def test_missing_or_blank_text_gives_no_tokens(lexicon):
    units = make_units({"d": ["依法行政。", "  ", "政务公开。"], "e": ["。。"]})
    units.loc[1, "text"] = None
    toks = tokenize(units, lexicon=lexicon, cache=False)
    assert toks["token"].tolist() == ["依法行政", "政务公开"]
    assert toks["position"].tolist() == [0, 1]


# --- segmentation rules ---------------------------------------------------------------------


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_required_terms_stay_whole_in_real_sentences(lexicon, term):
    sents = [s for s in SENTENCES if term in s]
    assert sents, f"no test sentence holds {term}"
    toks = tokenize(make_units({"d": sents}), lexicon=lexicon, cache=False)
    alone = 0
    for sent_id, sent in enumerate(sents):
        words = toks.loc[toks["sent_id"] == sent_id, "token"].tolist()
        # whole: as a token of its own, or inside a longer dictionary term (行政规范性文件)
        assert covered(sent, words, term), (term, words)
        alone += term in words
    assert alone, f"{term} never a token of its own"


def test_without_the_dictionary_jieba_splits_them():
    bare = load_lexicon(userdict=(), stopwords=(), boilerplate=())
    toks = tokenize(make_units({"d": SENTENCES}), lexicon=bare, cache=False)
    found = set(toks["token"])
    assert not {"习近平法治思想", "法治政府建设", "合法性审查", "国家安全教育日"} & found


def test_seed_terms_stay_whole(seeds, lexicon):
    units, toks = seeds
    terms = [w for w, _, _ in lexicon.userdict]
    rivals = frozenset(terms)
    by_sent = toks.groupby(["doc_id", "sent_id"])["token"].agg(list)
    seen = set()
    for row in units.itertuples():
        words = by_sent.get((row.doc_id, row.sent_id), [])
        for term in terms:
            if term in row.text:
                seen.add(term)
                strict = frozenset() if term in REQUIRED_TERMS else rivals
                assert covered(row.text, words, term, strict), (term, row.text, words)
    assert set(REQUIRED_TERMS) <= seen  # all required terms occur in the seeds


def test_every_dictionary_entry_survives_its_neighbours(lexicon):
    """Each user-dictionary term between common words stays whole (or inside a longer term)."""
    terms = [w for w, _, _ in read_userdict(paths.data_file("userdict.txt"))]
    left, right = ["的", "全", "新", "市", "深入推进"], ["的", "工作", "化", "性", "和习", "办"]
    cases = [(f"{a}{t}{b}", t) for t in terms for a, b in itertools.product(left, right)]
    toks = tokenize(make_units({"d": [sent for sent, _ in cases]}), lexicon=lexicon, cache=False)
    by_sent = toks.groupby("sent_id")["token"].agg(list)
    known = set(terms)
    broken = []
    for i, (_, term) in enumerate(cases):
        words = by_sent.get(i, [])
        if not any(term in w and w in known for w in words):
            broken.append("/".join(words))
    assert len(cases) > 5000 and broken == []


#: Sentences (of the seeds and the realistic fixtures) whose tokens held segmentation fragments
#: (了市, 对区, 经局; 一步 of 下一步; 进中, 进促, 立后, 好步, 和量 …), with the words they must give.
FRAGMENT_SENTENCES = {
    "进一步实现了市外事办行政规范性文件合法性审核": ["进一步", "实现", "了", "市", "外事办"],
    "建立行政规范性文件备案审查制度，逐步推进了市外办": ["逐步推进", "了", "市", "外办"],
    "全年对区、市、县生态环境部门开展稽查": ["对", "区", "市", "县"],
    "三重一大事项全部经局党组会议集体研究": ["经", "局", "党组"],
    "下一步工作中，我们将抓紧完善": ["下一步", "工作"],
    "下步工作计划": ["下步", "工作", "计划"],
    "经济运行呈现稳中有进、进中向好的态势": ["稳中有进", "进中向好"],
    "坚持稳中求进、以进促稳、先立后破": ["稳中求进", "以进促稳", "先立后破"],
    "确保十五五开好局、起好步": ["开好局", "起好步"],
    "推动实现质的有效提升和量的合理增长": ["质的有效提升", "和", "量的合理增长"],
    "政府系统要过紧日子": ["要", "过紧日子"],
    "临空港经开区等功能区建设": ["经开区"],
    "2023年市人社局坚持以习近平新时代中国特色社会主义思想为指导": ["市", "人社局", "坚持"],
    "跨境电商综试区提质扩面": ["综试区", "提质"],
    "经济稳中提质，让群众可感可及": ["稳中提质", "让", "群众", "可感可及"],
    "产业建圈强链成效明显，全面推行河湖长制": ["建圈强链", "成效", "明显", "全面推行", "河湖长制"],
}
FRAGMENTS = {"了市", "对区", "经局", "一步", "步", "进中", "进促", "立后", "好步", "和量", "市人",
             "社局", "区提质", "中提质", "开区", "要过", "可感", "建圈", "长制"}


@pytest.mark.parametrize("sentence, words", FRAGMENT_SENTENCES.items())
def test_no_segmentation_fragments(lexicon, sentence, words):
    toks = tokenize(make_units({"d": [sentence]}), lexicon=lexicon, cache=False, n_jobs=1)
    got = list(toks["token"])
    assert not set(got) & FRAGMENTS, got
    at = got.index(words[0])
    assert got[at:at + len(words)] == words, got


def test_glued_function_words_split_only_outside_the_dictionary(lexicon):
    tok = core.tokenizer_for(lexicon)
    pairs = [("实现", "v"), ("了市", "x"), ("地区", "n"), ("各市", "r"), ("对区", "x"), ("和", "c")]
    assert core.split_glued(tok, pairs) == [
        ("实现", "v"), ("了", "ul"), ("市", "n"), ("地区", "n"), ("各市", "r"), ("对", "p"),
        ("区", "n"), ("和", "c")]
    assert core.TOKENIZER_VERSION == "2"      # cached tokens of the old rule are recomputed


def test_numbers_punctuation_and_space_are_dropped(lexicon):
    text = "2022年，全市完成率100%，开展3次“4·15”活动（一）；一是坚持两个维护、十一个坚持。APEC 5G ２０２３ ①"
    toks = tokenize(make_units({"d": [text]}), lexicon=lexicon, cache=False)
    words = toks["token"].tolist()
    for gone in ["2022", "100", "%", "3", "4", "15", "·", "，", "（", " ", "２０２３", "①"]:
        assert gone not in words
    assert all(any(ch.isalpha() for ch in w) for w in words)
    for kept in ["年", "两个维护", "十一个", "一", "APEC"]:
        assert kept in words, kept


def test_part_of_speech_kept_and_user_tags_applied(seeds):
    _, toks = seeds
    tag = dict(zip(toks["token"], toks["pos"]))
    assert tag["习近平法治思想"] == "nz" and tag["法律顾问"] == "n" and tag["述法"] == "v"
    assert tag["的"] == "uj" and tag["推进"] == "v"
    assert (toks["pos"] != "").all()


def test_stop_and_boilerplate_flags(seeds, lexicon):
    _, toks = seeds
    flag = toks.drop_duplicates("token").set_index("token")
    assert flag.loc["的", "stop"] and not flag.loc["的", "boilerplate"]
    assert flag.loc["工作", "boilerplate"] and not flag.loc["工作", "stop"]
    assert not flag.loc["法治", "stop"] and not flag.loc["法治", "boilerplate"]
    assert toks["stop"].tolist() == toks["token"].isin(lexicon.stopwords).tolist()
    # switching the lists needs no re-tokenization: same tokens, other flags
    other = tokenize(seed_units(), lexicon=load_lexicon(stopwords=["的"], boilerplate=()),
                     cache=False)
    assert other["token"].tolist() == toks["token"].tolist()
    assert set(other.loc[other["stop"], "token"]) == {"的"} and not other["boilerplate"].any()


def test_extra_terms_are_kept_whole(lexicon):
    units = make_units({"d": ["充分发挥云帆护航行动职能优势。"]})
    plain = tokenize(units, lexicon=lexicon, cache=False)["token"].tolist()
    assert "云帆护航行动" not in plain
    extra = load_lexicon(extra_terms=["云帆护航行动"])
    toks = tokenize(units, lexicon=extra, cache=False)
    row = toks[toks["token"] == "云帆护航行动"]
    assert len(row) == 1 and row["pos"].iloc[0] == "nz"


def test_global_jieba_is_untouched(lexicon):
    import jieba

    tokenize(make_units({"d": SENTENCES[:2]}), lexicon=lexicon, cache=False)
    assert "习近平法治思想" not in jieba.dt.FREQ
    assert jieba.lcut("习近平法治思想") != ["习近平法治思想"]


def test_hmm_memo_changes_nothing(lexicon):
    import jieba.posseg

    memo = core.tokenizer_for(lexicon)
    plain = core.tokenizer_for(lexicon, fast=False)
    assert type(plain) is jieba.posseg.POSTokenizer and type(memo) is not type(plain)
    texts = seed_units()["text"].tolist()
    for _ in range(2):  # the second pass is served from the memo
        assert ([[(p.word, p.flag) for p in memo.cut(t)] for t in texts]
                == [[(p.word, p.flag) for p in plain.cut(t)] for t in texts])


# --- cache ----------------------------------------------------------------------------------


def _entries(folder):
    return sorted(p.name for p in folder.iterdir())


def test_cache_cold_then_warm(tmp_path, lexicon, monkeypatch):
    units = synthetic_units(5, 6)
    cold = tokenize(units, lexicon=lexicon, cache_dir=tmp_path)
    assert cold.attrs["cache"] == {"hits": 0, "misses": 5, "written": 5, "write_errors": 0,
                                   "dir": str(tmp_path)}
    files = _entries(tmp_path)
    assert len(files) == 5 and all(f.endswith(".parquet") for f in files)  # no temp files

    def no_jieba(lexicon):
        raise AssertionError("a fully cached corpus must not need a tokenizer")

    monkeypatch.setattr(core, "tokenizer_for", no_jieba)
    warm = tokenize(units, lexicon=lexicon, cache_dir=tmp_path)
    assert warm.attrs["cache"]["hits"] == 5 and warm.attrs["cache"]["misses"] == 0
    pd.testing.assert_frame_equal(cold, warm)
    monkeypatch.undo()
    fresh = tokenize(units, lexicon=lexicon, cache=False)
    pd.testing.assert_frame_equal(fresh, warm)
    assert fresh.attrs["cache"]["dir"] is None


def test_cache_key_follows_text_ids_and_lexicon(tmp_path, lexicon):
    units = synthetic_units(4, 5)
    tokenize(units, lexicon=lexicon, cache_dir=tmp_path)
    edited = units.copy()
    edited.loc[edited["doc_id"] == "syn/001", "text"] += "新增一句依法行政。"
    assert tokenize(edited, lexicon=lexicon, cache_dir=tmp_path).attrs["cache"]["misses"] == 1
    moved = units.copy()
    moved.loc[moved["doc_id"] == "syn/002", "para_id"] += 1
    assert tokenize(moved, lexicon=lexicon, cache_dir=tmp_path).attrs["cache"]["misses"] == 1
    other = load_lexicon(extra_terms=["云帆护航行动"])
    assert tokenize(units, lexicon=other, cache_dir=tmp_path).attrs["cache"]["misses"] == 4
    flags_only = load_lexicon(stopwords=["的"], boilerplate=["工作"])
    again = tokenize(units, lexicon=flags_only, cache_dir=tmp_path)
    assert again.attrs["cache"]["hits"] == 4  # flag lists are not part of the key
    assert set(again.loc[again["stop"], "token"]) <= {"的"}


def test_corrupt_entry_is_a_miss_and_is_rewritten(tmp_path, lexicon):
    units = synthetic_units(3, 4)
    good = tokenize(units, lexicon=lexicon, cache_dir=tmp_path)
    first, second = sorted(tmp_path.glob("*.parquet"))[:2]
    first.write_bytes(b"PAR1 this is not a parquet file")
    second.write_bytes(first.read_bytes()[:5])
    redo = tokenize(units, lexicon=lexicon, cache_dir=tmp_path)
    assert redo.attrs["cache"]["hits"] == 1 and redo.attrs["cache"]["written"] == 2
    pd.testing.assert_frame_equal(good, redo)
    assert tokenize(units, lexicon=lexicon, cache_dir=tmp_path).attrs["cache"]["hits"] == 3


def test_failed_write_leaves_nothing_and_still_returns_tokens(tmp_path, lexicon, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cache.pq, "write_table", boom)
    units = synthetic_units(2, 3)
    toks = tokenize(units, lexicon=lexicon, cache_dir=tmp_path)
    assert toks.attrs["cache"]["write_errors"] == 2 and toks.attrs["cache"]["written"] == 0
    assert _entries(tmp_path) == []
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert tokenize(units, lexicon=lexicon, cache_dir=not_a_dir).attrs["cache"]["write_errors"] == 2


def test_default_cache_dir_and_clear_cache(tmp_path, monkeypatch, lexicon):
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path / "tokens"
    tokenize(synthetic_units(3, 3), lexicon=lexicon)
    folder = tmp_path / "tokens"
    assert len(list(folder.glob("*.parquet"))) == 3
    (folder / "notes.txt").write_text("keep me")
    (folder / f".{'a' * 64}.xyz.tmp").write_text("half-written")
    assert clear_cache() == 4
    assert _entries(folder) == ["notes.txt"]
    assert clear_cache(cache_dir=tmp_path / "absent") == 0


def test_progress_callback(lexicon, tmp_path):
    seen = []
    units = synthetic_units(4, 3)
    tokenize(units, lexicon=lexicon, cache_dir=tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    seen.clear()
    tokenize(units, lexicon=lexicon, cache_dir=tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(4, 4)]  # all hits at once
    with pytest.raises(TypeError):
        tokenize(units, lexicon=lexicon, cache=False, progress="yes")


# --- parallel -------------------------------------------------------------------------------


def test_worker_count_rules():
    assert backends.worker_count(None, 0) == 0
    assert backends.worker_count(None, backends.PARALLEL_MIN_DOCS) == 1
    assert backends.worker_count(1, 500) == 1
    assert backends.worker_count(4, 3) == 3
    with pytest.raises(ValueError):
        backends.worker_count(0, 10)


def test_parallel_equals_serial(lexicon):
    units = synthetic_units(40, 5, seed=1)
    serial = tokenize(units, lexicon=lexicon, cache=False, n_jobs=1)
    parallel = tokenize(units, lexicon=lexicon, cache=False, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial["doc_id"].nunique() == 40


def test_parallel_without_fork_equals_serial(lexicon, monkeypatch, tmp_path):
    """The start method a Jupyter kernel gets (threads running, so no fork)."""
    monkeypatch.setattr(backends, "START_METHOD", "forkserver")
    units = synthetic_units(12, 4, seed=2)
    serial = tokenize(units, lexicon=lexicon, cache=False, n_jobs=1)
    parallel = tokenize(units, lexicon=lexicon, cache_dir=tmp_path, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert parallel.attrs["cache"]["written"] == 12


# --- helpers --------------------------------------------------------------------------------


def test_filter_tokens(seeds):
    _, toks = seeds
    before = toks.copy()
    out = filter_tokens(toks)
    pd.testing.assert_frame_equal(toks, before)  # input untouched
    assert not out["stop"].any() and not out["boilerplate"].any()
    assert out["token"].str.len().min() >= 2
    assert out.index.tolist() == list(range(len(out)))
    assert {"法治", "习近平法治思想", "法律顾问"} <= set(out["token"])
    singles = filter_tokens(toks, min_chars=1)
    assert singles["token"].str.len().min() == 1 and len(singles) > len(out)
    kept_stop = filter_tokens(toks, stop=False, min_chars=1)
    assert kept_stop["stop"].any() and not kept_stop["boilerplate"].any()
    nouns = filter_tokens(toks, pos="n")
    assert len(nouns) and nouns["pos"].str.startswith("n").all()
    nv = filter_tokens(toks, pos=["n", "v"], boilerplate=False)
    assert set(nv["pos"].str[0]) == {"n", "v"} and nv["boilerplate"].any()
    everything = filter_tokens(toks, stop=False, boilerplate=False, min_chars=1)
    assert len(everything) == len(toks)


def test_attach_counts(seeds):
    _, toks = seeds
    ids = list(pd.unique(toks["doc_id"]))
    docs = pd.DataFrame({"doc_id": ids + ["empty"], "n_chars": [1, 2, 3], "text": ["", "", ""]})
    before = docs.copy()
    out = attach_counts(docs, toks)
    pd.testing.assert_frame_equal(docs, before)
    assert list(out.columns) == ["doc_id", "n_chars", "n_tokens", "text"]
    assert str(out["n_tokens"].dtype) == "Int64"
    expected = [int((toks["doc_id"] == d).sum()) for d in ids] + [0]
    assert out["n_tokens"].tolist() == expected
    docs2 = docs.assign(n_tokens=pd.array([None] * 3, dtype="Int64"), label="x")
    out2 = attach_counts(docs2, toks)
    assert list(out2.columns) == list(docs2.columns)
    assert out2["n_tokens"].tolist() == expected
