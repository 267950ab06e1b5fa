"""tifa.tokenize.build_cache: the built POS tokenizer on disk cuts exactly as a fresh build."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tifa.tokenize import build_cache, core
from tifa.tokenize.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "realistic"


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8", errors="replace")
              for p in sorted(FIXTURES.rglob("*.txt"))[:12]]
    return [line for text in texts for line in text.splitlines() if line.strip()]


def _cut(tok, lines):
    _, words, tags = core.cut_texts(tok, lines)
    return words, tags


@pytest.fixture()
def fresh(monkeypatch, tmp_path):
    """An empty build cache, and no tokenizer built in this process yet."""
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(core, "_TOKENIZERS", {})
    return tmp_path / "cache" / "tokenizer"


def test_a_loaded_tokenizer_cuts_like_a_built_one(fresh, monkeypatch):
    lexicon = load_lexicon(extra_terms=("云帆护航行动", "一企一专班"))
    built = core.tokenizer_for(lexicon)  # builds, and stores the build
    (stored,) = fresh.glob("*.marshal")
    monkeypatch.setattr(core, "_TOKENIZERS", {})
    loaded = core.tokenizer_for(lexicon)
    assert loaded is not built
    assert loaded.tokenizer.FREQ == built.tokenizer.FREQ
    assert loaded.tokenizer.total == built.tokenizer.total
    assert loaded.word_tag_tab == built.word_tag_tab
    lines = _texts() + ["云帆护航行动和一企一专班", "ABC公司2023年Q3", "，。！"]
    assert _cut(loaded, lines) == _cut(built, lines)
    assert stored.name == build_cache.build_key(
        lexicon, jieba_version=core.jieba_version(),
        tokenizer_version=core.TOKENIZER_VERSION) + ".marshal"


def test_another_lexicon_or_version_gets_another_build(fresh):
    one = load_lexicon()
    two = load_lexicon(extra_terms=("云帆护航行动",))
    key = build_cache.build_key(one, jieba_version="0.42.1", tokenizer_version="1")
    assert key != build_cache.build_key(two, jieba_version="0.42.1", tokenizer_version="1")
    assert key != build_cache.build_key(one, jieba_version="0.42.2", tokenizer_version="1")
    assert key != build_cache.build_key(one, jieba_version="0.42.1", tokenizer_version="2")
    assert key == build_cache.build_key(load_lexicon(), jieba_version="0.42.1",
                                        tokenizer_version="1")


def test_a_damaged_build_file_is_a_miss_and_is_rewritten(fresh, monkeypatch):
    lexicon = load_lexicon()
    key = build_cache.build_key(lexicon, jieba_version=core.jieba_version(),
                                tokenizer_version=core.TOKENIZER_VERSION)
    fresh.mkdir(parents=True)
    (fresh / f"{key}.marshal").write_bytes(b"\x00 not marshal")
    assert build_cache.load_tokenizer(key, folder=fresh) is None
    tok = core.tokenizer_for(lexicon)  # built, since the file did not load; and stored again
    again = build_cache.load_tokenizer(key, folder=fresh)
    lines = ["法治政府建设情况报告", "我们坚持依法行政"]
    assert again is not None and _cut(again, lines) == _cut(tok, lines)
    assert not list(fresh.glob("*.tmp"))


def test_jieba_posseg_global_tokenizer_still_tags_as_jieba_does():
    """tifa imports jieba.posseg without parsing its global tag table; it parses on first use."""
    code = ("import json, sys\n"
            "if sys.argv[1] == 'tifa':\n"
            "    from tifa.tokenize import _jieba_fast\n"
            "    _jieba_fast.posseg_module()\n"
            "import jieba, jieba.posseg\n"
            "jieba.setLogLevel(60)\n"
            "print(json.dumps([(p.word, p.flag) for p in jieba.posseg.cut('我们坚持依法行政，推进法治政府建设')],"
            " ensure_ascii=False))")
    plain, ours = (subprocess.run([sys.executable, "-c", code, which], capture_output=True,
                                  text=True, check=True).stdout for which in ("plain", "tifa"))
    assert json.loads(ours) == json.loads(plain) and ["依法行政", "n"] in json.loads(plain)
