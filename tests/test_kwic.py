"""Tests of tifa.analyze.kwic: concordance over units or documents, contexts, offsets, grouping."""

from __future__ import annotations

import pandas as pd
import pytest

from tifa.schemas import UNITS
from tifa.analyze.kwic import KWIC_COLUMNS, PARAGRAPH_MARK, kwic, kwic_counts

TEXT_A = "报告标题\n一、法治建设\n坚持依法行政。推进法治政府建设。\n依法治市取得成效。"
TEXT_B = "另一份报告\n依法行政是法治政府的基本要求。"


def _units(doc_id: str, text: str) -> list[dict]:
    """Units rows for a text whose lines are paragraphs and 。 ends sentences."""
    rows, pos, sent, section, heading = [], 0, 0, pd.NA, pd.NA
    for para, line in enumerate(text.split("\n")):
        is_heading = line.startswith("一、")
        if is_heading:
            heading = line
        parts = [p + "。" for p in line.split("。") if p] if "。" in line else [line]
        offset = pos
        for part in parts:
            rows.append({"doc_id": doc_id, "section_id": int(is_heading or heading is not pd.NA),
                         "section_level": 1 if heading is not pd.NA else 0, "section": heading,
                         "section_path": heading, "section_role": "work", "para_id": para,
                         "sent_id": sent, "is_heading": is_heading, "text": part,
                         "start": offset})
            offset += len(part)
            sent += 1
        pos += len(line) + 1
    return rows


@pytest.fixture
def tables():
    units = pd.DataFrame(_units("a", TEXT_A) + _units("b", TEXT_B), columns=UNITS)
    docs = pd.DataFrame({"doc_id": ["a", "b"], "region": ["甲市", "乙市"], "text": [TEXT_A, TEXT_B]})
    return units, docs


def test_offsets_point_into_the_cleaned_text(tables):
    units, docs = tables
    k = kwic(units, "法治政府", documents=docs, by="region")
    assert list(k.columns) == KWIC_COLUMNS
    assert len(k) == 2
    text = dict(zip(docs["doc_id"], docs["text"]))
    for doc, start, match in zip(k["doc_id"], k["start"], k["match"]):
        assert text[doc][start:start + len(match)] == match
    assert list(k["group"]) == ["甲市", "乙市"]
    assert k["section"].iloc[0] == "一、法治建设"


def test_context_window_crosses_sentences_not_documents(tables):
    units, docs = tables
    k = kwic(units, "法治政府", window=6)
    first = k.iloc[0]
    assert first["left"] == "行政。推进" or first["left"] == "依法行政。推进"[-6:]
    assert len(first["left"]) == 6 and len(first["right"]) <= 6
    assert first["right"].startswith("建设。")
    # the next paragraph is marked, the other document never appears
    k2 = kwic(units, "依法治市", window=20)
    assert PARAGRAPH_MARK.strip() in k2["left"].iloc[0]
    assert "另一份" not in "".join(k["right"])


def test_match_never_spans_two_sentences(tables):
    units, docs = tables
    # "行政。推进" runs from one sentence into the next: not a match in units mode
    assert kwic(units, "行政。推进").empty
    assert len(kwic(units, "行政。")) == 1  # the sentence-final 。 belongs to the sentence
    # the same string is found when searching whole documents
    assert len(kwic(docs, "行政。推进")) == 1


def test_regex_and_alternatives(tables):
    units, docs = tables
    r = kwic(units, r"依法\w{2}", regex=True)
    assert sorted(r["match"]) == ["依法治市", "依法行政", "依法行政"]
    alt = kwic(units, ["依法", "依法行政"])
    assert sorted(alt["match"]) == ["依法", "依法行政", "依法行政"]  # longest first
    literal = kwic(units, "法治.*")  # not a regex: nothing matches
    assert literal.empty and list(literal.columns) == KWIC_COLUMNS


def test_documents_table_and_counts(tables):
    units, docs = tables
    k = kwic(docs, "依法行政", by="region")
    assert set(k["group"]) == {"甲市", "乙市"}
    assert k["section"].isna().all()
    c = kwic_counts(k)
    assert c["count"].sum() == 2 and set(c["n_docs"]) == {1}
    with pytest.raises(ValueError):
        kwic(units, "")
    with pytest.raises(ValueError):
        kwic(units, "依法", by="region")  # grouping needs the documents table
    assert len(kwic(units, "依法", max_rows=1)) == 1
