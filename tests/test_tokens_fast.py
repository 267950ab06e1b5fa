"""The fast paths of tifa.tokenize give exactly jieba's output: the block memo (core.cut_texts),
the fused DAG/route/tagging pass (_jieba_fast.FastDAG) and the part-of-speech Viterbi
(_jieba_fast.pos_viterbi); with an untested jieba they give way to jieba.posseg, with a warning
and the same tokens."""

from __future__ import annotations

import logging
import random
import warnings
from pathlib import Path

import pandas as pd
import pytest

from tifa import paths
from tifa.ingest.corpus import read_corpus
from tifa.ingest.units import split_units
from tifa.tokenize import _jieba_fast, core, tokenize
from tifa.tokenize.lexicon import load_lexicon


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(extra_terms=["云帆护航行动", "一企一专班"])


@pytest.fixture(scope="module")
def plain(lexicon):
    """jieba's own POSTokenizer with the same dictionary: no memo, no fast path."""
    import jieba
    import jieba.posseg

    logging.getLogger("jieba").setLevel(logging.WARNING)
    base = jieba.Tokenizer()
    base.initialize()
    for word, freq, pos in lexicon.entries:
        base.add_word(word, freq, pos)
    tok = jieba.posseg.POSTokenizer(base)
    tok.makesure_userdict_loaded()
    return tok


@pytest.fixture(scope="module")
def sentences():
    documents, _ = read_corpus(paths.default_corpus())
    return split_units(documents)["text"].tolist()


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    common = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
    words = ["习近平法治思想", "云帆护航行动", "APEC", "2023年", "C++", "x.y", "一企一专班"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.2:
                parts.append(rng.choice(words))
            elif rng.random() < 0.2:  # rare ideographs: stretches only the HMM can cut
                parts.append("".join(chr(rng.randint(0x4E00, 0x9FD5)) for _ in range(rng.randint(1, 5))))
            else:
                parts.append("".join(rng.choice(common) for _ in range(rng.randint(1, 8))))
            parts.append(rng.choice(["", "", "，", "。", " ", "、", "（一）", "100%"]))
        out.append("".join(parts))
    return out


def _blocks(texts: list[str]) -> list[str]:
    han = _jieba_fast.han_split()
    return sorted({b for t in texts for b in han.split(t) if b and han.match(b)})


def test_fast_dag_equals_jieba(lexicon, plain, sentences):
    tok = core.tokenizer_for(lexicon)
    tok.makesure_userdict_loaded()
    fast = _jieba_fast.FastDAG.of(tok)
    assert fast is not None
    blocks = _blocks(sentences + _random_texts(150, 1))
    assert len(blocks) > 300
    for block in blocks:
        assert fast.cut(block) == [(p.word, p.flag) for p in plain.cut(block)], block


def test_pos_viterbi_equals_jieba():
    import jieba.posseg as ps
    from jieba.posseg.viterbi import viterbi

    _jieba_fast.pos_tokenizer_class()
    model = [ps.char_state_tab_P, ps.start_P, ps.trans_P, ps.emit_P]
    incoming: dict = {}
    for y0, nexts in ps.trans_P.items():
        for y, prob in nexts.items():
            incoming.setdefault(y, {})[y0] = prob
    rng = random.Random(5)
    runs = ["法治", "外事办", "聊城", "云帆护航", "厦门市外办", "龘靐齉", "一"]
    runs += ["".join(chr(rng.randint(0x4E00, 0x9FD5)) for _ in range(rng.randint(1, 7)))
             for _ in range(80)]
    for run in runs:
        assert _jieba_fast.pos_viterbi(run, *model, incoming) == viterbi(run, *model)[1], run


def test_cut_texts_equals_plain_cut(lexicon, plain, sentences):
    """Block memo + fast paths over whole sentences, twice (the second pass from the memos):
    jieba's own cut, with the one rule tifa adds (glued function words split, core.split_glued)."""
    texts = sentences + _random_texts(100, 2) + ["", "　", "2022年3月", "ABC abc"]
    tok = core.tokenizer_for(lexicon)
    expected_units, expected_words, expected_tags = [], [], []
    for u, text in enumerate(texts):
        for word, flag in core.split_glued(plain, [(p.word, p.flag) for p in plain.cut(text)]):
            if any(ch.isalpha() for ch in word):
                expected_units.append(u)
                expected_words.append(word)
                expected_tags.append(flag)
    for _ in range(2):
        assert core.cut_texts(tok, texts) == (expected_units, expected_words, expected_tags)


# --- the pin and the fallback ---------------------------------------------------------------


def test_installed_jieba_is_a_tested_one_and_pinned():
    """The tests above exercise the fast path only if the installed jieba is one it serves."""
    import tomllib
    from packaging.requirements import Requirement

    assert core.jieba_version() in _jieba_fast.TESTED_JIEBA
    assert core.use_fast_path() is True
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    meta = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    [pin] = [Requirement(r) for r in meta["project"]["dependencies"] if r.startswith("jieba")]
    assert all(pin.specifier.contains(v) for v in _jieba_fast.TESTED_JIEBA)
    assert not pin.specifier.contains("0.43.0")  # an untested series is not installed by pip


@pytest.fixture
def untested_jieba(monkeypatch):
    """The process as it would be with a jieba the fast path is not tested with."""
    monkeypatch.setattr(core, "jieba_version", lambda: "0.40")
    core.use_fast_path.cache_clear()
    yield
    monkeypatch.undo()
    core.use_fast_path.cache_clear()


def test_untested_jieba_warns_once_naming_the_version(untested_jieba, lexicon):
    import jieba.posseg

    with pytest.warns(core.JiebaFallbackWarning, match=r"jieba 0\.40 is installed.*0\.42\.1"):
        assert core.use_fast_path() is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # decided once per process: no second warning
        assert core.use_fast_path() is False
        assert type(core.tokenizer_for(lexicon)) is jieba.posseg.POSTokenizer


def test_fallback_gives_the_same_tokens(lexicon, monkeypatch):
    texts = _random_texts(60, 3)
    units = pd.DataFrame({"doc_id": [f"r{k // 20}" for k in range(len(texts))],
                          "section_id": 0, "para_id": 0, "sent_id": range(len(texts)),
                          "text": texts})
    seeds, _ = read_corpus(paths.default_corpus())
    units = pd.concat([split_units(seeds), units], ignore_index=True)
    fast = tokenize(units, lexicon=lexicon, cache=False, n_jobs=1)
    monkeypatch.setattr(core, "jieba_version", lambda: "0.40")
    core.use_fast_path.cache_clear()
    try:
        with pytest.warns(core.JiebaFallbackWarning):
            plain = tokenize(units, lexicon=lexicon, cache=False, n_jobs=1)
    finally:
        monkeypatch.undo()
        core.use_fast_path.cache_clear()
    pd.testing.assert_frame_equal(fast, plain)
    assert core.use_fast_path() is True
