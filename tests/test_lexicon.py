"""Tests of tifa.tokenize.lexicon and of the lexicon files in data/."""

from __future__ import annotations

import dataclasses

import pytest
import stopwordsiso

from tifa import paths
from tifa.tokenize.lexicon import (
    BOILERPLATE_FILE, DEFAULT_FREQ, DEFAULT_POS, STOPWORDS_FILE, USERDICT_FILE, Lexicon,
    load_lexicon, read_userdict, read_wordlist,
)

REQUIRED_TERMS = [
    "习近平法治思想", "习近平新时代中国特色社会主义思想", "法治政府建设", "依法行政", "合法性审查",
    "重大行政决策", "规范性文件", "政务公开", "领事保护", "法律顾问", "公职律师", "国家安全教育日",
]
MORE_TERMS = [
    "依法治国", "全面依法治国", "法治思维", "法治方式", "行政执法", "行政复议", "行政诉讼", "营商环境",
    "放管服", "党内法规", "述法", "普法", "八五普法", "民法典", "宪法宣传周", "党的二十大", "高质量发展",
    "主题教育", "第一责任人", "理论学习中心组", "外事工作", "因公出国", "商务旅行卡", "一带一路",
    "乡村振兴", "数字政府", "新质生产力", "高效办成一件事",
]
CONTENT_WORDS = ["法治", "政府", "建设", "执法", "普法", "企业", "宣传", "监督", "制度"]
BRIEF_BOILERPLATE = [
    "工作", "开展", "加强", "推进", "进一步", "全面", "深入", "持续", "落实", "坚持", "积极", "不断",
    "提升", "提高", "完善", "健全", "推动", "切实", "扎实", "认真", "有关", "相关", "各项", "方面",
    "情况", "要求",
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped data files -----------------------------------------------------------------


def test_default_userdict_has_the_domain_terms(lexicon):
    words = {w for w, _, _ in lexicon.userdict}
    missing = [t for t in REQUIRED_TERMS + MORE_TERMS if t not in words]
    assert missing == []
    assert len(words) >= 250
    assert lexicon.skipped == ()  # every shipped entry can come out of jieba whole


def test_default_userdict_entries_are_well_formed(lexicon):
    tags = {pos for _, _, pos in lexicon.userdict}
    assert tags <= {"nz", "n", "v", "i", "l", "nt", "ns"}
    assert all(freq >= 1000 for _, freq, _ in lexicon.userdict)
    raw = read_userdict(paths.data_file(USERDICT_FILE))
    words = [w for w, _, _ in raw]
    assert len(words) == len(set(words)), "duplicate entries in userdict.txt"
    tag = dict((w, pos) for w, _, pos in lexicon.userdict)
    assert tag["习近平法治思想"] == "nz" and tag["法律顾问"] == "n" and tag["述法"] == "v"


@pytest.mark.parametrize("name", [USERDICT_FILE, STOPWORDS_FILE, BOILERPLATE_FILE])
def test_data_files_start_with_provenance_comments(name):
    lines = paths.data_file(name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#")
    header = "\n".join(line for line in lines[:40] if line.startswith("#"))
    assert "come from" in header or "base list" in header


def test_default_stopwords_are_the_maintained_list_plus_local_edits(lexicon):
    maintained = set(stopwordsiso.stopwords("zh"))
    assert len(maintained) > 700
    assert maintained - lexicon.stopwords == set()  # the shipped file removes nothing
    assert {"我市", "本市"} <= lexicon.stopwords - maintained
    assert {"的", "和", "在", "关于"} <= lexicon.stopwords
    assert not any(w in lexicon.stopwords for w in CONTENT_WORDS)


def test_default_boilerplate_is_filler_not_content(lexicon):
    assert set(BRIEF_BOILERPLATE) <= lexicon.boilerplate
    assert not any(w in lexicon.boilerplate for w in CONTENT_WORDS)
    words = read_wordlist(paths.data_file(BOILERPLATE_FILE))
    assert len(words) == len(set(words)), "duplicate entries in boilerplate.txt"


# --- loading rules --------------------------------------------------------------------------


def test_userdict_file_format_and_defaults(tmp_path):
    f = _write(tmp_path / "u.txt", "\ufeff# comment\n\n甲乙丙\n丁戊己 12\n庚辛壬 v\n  子丑寅 7 l  \n")
    assert read_userdict(f) == [
        ("甲乙丙", DEFAULT_FREQ, DEFAULT_POS), ("丁戊己", 12, DEFAULT_POS),
        ("庚辛壬", DEFAULT_FREQ, "v"), ("子丑寅", 7, "l"),
    ]
    lex = load_lexicon(userdict=f, stopwords=(), boilerplate=())
    assert [w for w, _, _ in lex.userdict] == ["甲乙丙", "丁戊己", "庚辛壬", "子丑寅"]


@pytest.mark.parametrize("line", ["甲乙 12 n extra", "甲乙 0 n", "甲乙 1.5", "甲乙 12 n-z"])
def test_malformed_userdict_line_names_file_and_line(tmp_path, line):
    f = _write(tmp_path / "bad.txt", f"# header\n好词\n{line}\n")
    with pytest.raises(ValueError, match=r"bad\.txt, line 3"):
        load_lexicon(userdict=f)


def test_userdict_later_duplicate_wins(tmp_path):
    f = _write(tmp_path / "u.txt", "甲乙丙 10 n\n甲乙丙 20 v\n")
    assert load_lexicon(userdict=f).userdict == (("甲乙丙", 20, "v"),)


def test_stopword_file_adds_and_removes(tmp_path):
    f = _write(tmp_path / "s.txt", "# edits\n-的\n-和\n新增词\n")
    lex = load_lexicon(stopwords=f)
    assert "的" not in lex.stopwords and "和" not in lex.stopwords
    assert "新增词" in lex.stopwords and "在" in lex.stopwords


def test_iterables_replace_the_files():
    lex = load_lexicon(userdict=["甲乙丙", ("丁戊己", 9, "v")], stopwords=["的", " "],
                       boilerplate={"工作"})
    assert lex.userdict == (("甲乙丙", DEFAULT_FREQ, DEFAULT_POS), ("丁戊己", 9, "v"))
    assert lex.stopwords == frozenset({"的"})  # no maintained list, blanks dropped
    assert lex.boilerplate == frozenset({"工作"})
    empty = load_lexicon(userdict=(), stopwords=(), boilerplate=())
    assert empty.entries == () and not empty.stopwords and not empty.boilerplate


def test_extra_terms_cleaned_and_unusable_terms_skipped():
    lex = load_lexicon(extra_terms=[" 云帆护航行动 ", "云帆护航行动", "", "依法而治·循法而行",
                                    "两个 维护", "法律顾问"])
    assert lex.extra_terms == ("云帆护航行动", "法律顾问")
    assert lex.skipped == ("依法而治·循法而行", "两个 维护")
    entries = {w: (f, p) for w, f, p in lex.entries}
    assert entries["云帆护航行动"] == (DEFAULT_FREQ, DEFAULT_POS)
    assert entries["法律顾问"] == (5000, "n")  # the dictionary's own entry wins
    assert len(lex.entries) == len(lex.userdict) + 1


def test_data_folder_follows_tifa_data(tmp_path, monkeypatch):
    _write(tmp_path / USERDICT_FILE, "# mine\n甲乙丙 10 n\n")
    _write(tmp_path / STOPWORDS_FILE, "# mine\n-的\n")
    _write(tmp_path / BOILERPLATE_FILE, "# mine\n开展\n")
    monkeypatch.setenv("TIFA_DATA", str(tmp_path))
    lex = load_lexicon()
    assert lex.userdict == (("甲乙丙", 10, "n"),)
    assert "的" not in lex.stopwords and lex.boilerplate == frozenset({"开展"})


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="lexicon file not found"):
        load_lexicon(boilerplate=tmp_path / "nope.txt")


# --- the Lexicon object ---------------------------------------------------------------------


def test_fingerprint_tracks_only_what_changes_segmentation(lexicon):
    again = load_lexicon()
    assert lexicon.fingerprint == again.fingerprint and lexicon == again
    assert len(lexicon.fingerprint) == 64
    fewer_stops = load_lexicon(stopwords=["的"], boilerplate=())
    assert fewer_stops.fingerprint == lexicon.fingerprint
    assert load_lexicon(extra_terms=["云帆护航行动"]).fingerprint != lexicon.fingerprint
    a = load_lexicon(userdict=[("甲乙丙", 10, "n")])
    b = load_lexicon(userdict=[("甲乙丙", 11, "n")])
    c = load_lexicon(userdict=[("甲乙丙", 10, "v")])
    assert len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3
    # order of entries does not matter (jieba's result does not depend on it)
    d = load_lexicon(userdict=["甲乙丙", "丁戊己"])
    e = load_lexicon(userdict=["丁戊己", "甲乙丙"])
    assert d.fingerprint == e.fingerprint


def test_lexicon_is_frozen_and_hashable(lexicon):
    with pytest.raises(dataclasses.FrozenInstanceError):
        lexicon.stopwords = frozenset()
    assert hash(lexicon) == hash(load_lexicon())
    direct = Lexicon(userdict=(("甲乙丙", 10, "n"),))
    assert direct.fingerprint == load_lexicon(userdict=[("甲乙丙", 10, "n")]).fingerprint
