"""Column contracts of the tables that flow through tifa.

sources -> corpus -> units -> tokens -> analyses -> charts -> exports

Every stage is a pandas DataFrame whose columns are listed here, in order. Extra metadata
columns (from a table or a manifest) follow the fixed ones in the documents table. Tests check
these contracts; notebooks and exports rely on them.
"""

#: The documents table (one row per accepted document), from :func:`tifa.ingest.corpus.read_corpus`.
#:
#: doc_id     stable id: the file's path relative to the corpus root without its extension
#:            (``/`` kept), or ``<table stem>/<row id>`` for table rows; unique
#: source     where it came from: relative file path, or ``table.csv#row=12``
#: format     txt | md | docx | pdf | html | csv | xlsx | parquet
#: encoding   detected text encoding (``utf-8``, ``utf-8-sig``, ``gb18030``, ``utf-16`` ...),
#:            or the container format for binary formats
#: sha256     hash of the cleaned text with all whitespace removed: two files holding the same
#:            report (re-wrapped, another encoding) share it; used for duplicate detection
#: genre      政府工作报告 | 法治政府建设情况报告 | 通知/意见/办法 | 其他 (by title and structure,
#:            :func:`tifa.ingest.metadata.genre_of`); decides the metadata rules and the codebook
#: title, agency, region   strings, missing (NA) when the text does not say; region is the
#:            prefecture-level city when one is named (a district's or department's documents go
#:            with their city), else the county, else the province, written in full (广东省)
#: year       Int64: the year reported on (政府工作报告: the year of the report = of delivery);
#: date       datetime64: the 落款 date (政府工作报告: the date of delivery); both may be missing
#: speaker    政府工作报告: who delivered it (the name, without 省长/市长); else NA
#: doc_number the 发文字号 as printed (鲁政发〔2024〕12号); NA when there is none
#: source_outlet, published   from a web page's chrome: the outlet (来源：…) and the time it was
#:            published, ISO text with the page's precision (2026-02-09T09:45:30, 2025-01-23);
#:            NA for documents that are no web copy; never the date of the document itself
#: label      short label for charts ("region year", else the distinctive part of the title,
#:            else doc_id; documents sharing one told apart by agency, genre, then (2)); unique
#: n_chars    characters of the cleaned text
#: n_tokens   Int64 tokens of the body after tokenization (:func:`tifa.tokenize.attach_counts`)
#: raw_text   the decoded text exactly as read (page chrome included); text: the cleaned text
#:            (page chrome removed: tables/cleaning.csv lists each line removed and its rule)
DOCUMENTS = [
    "doc_id", "source", "format", "encoding", "sha256", "genre",
    "title", "agency", "region", "year", "date", "speaker", "doc_number",
    "source_outlet", "published", "label",
    "n_chars", "n_tokens", "raw_text", "text",
]

#: Metadata columns a user may supply (table columns / manifest) that win over extraction.
METADATA = ["genre", "title", "agency", "region", "year", "date", "speaker", "doc_number",
            "source_outlet", "published", "label"]

#: The cleaning table (``tables/cleaning.csv``): one row per line taken out of a document's text
#: as page chrome. line_no: 1-based line of raw_text; line: that line as it was; rule: the
#: chrome pattern's name in data/chrome.txt, or ``html_nav`` … / ``html_outside`` (outside the
#: article of an HTML page), ``page_top`` / ``page_bottom`` (above the title, below the end of a
#: page with chrome), ``repeated`` (at an edge of several documents); see tifa.ingest.chrome.
CLEANING = ["doc_id", "line_no", "line", "rule"]

#: The ingest report: one row per input (file or table row) looked at.
#: status: ok | skipped | duplicate.  reason: a sentence a person understands (empty for a
#: clean ok).  notes: on accepted documents, the page chrome removed ("removed 9 chrome lines
#: (footer 2, …)") and warnings (e.g. "metadata not found in text: date, speaker").
INGEST = ["source", "doc_id", "status", "reason", "notes", "format", "encoding", "bytes"]

#: The units table: one row per sentence, carrying its paragraph and section.
#:
#: doc_id
#: section_id      int, 0-based within the document; 0 is the front matter before any heading
#: section_level   0 front matter/title, 1 ``一、``, 2 ``（一）``, 3 ``1.`` / ``（1）``
#: section         the heading text of the innermost section (NA for front matter)
#: section_path    headings from the top, joined with `` > ``
#: section_role    role of the enclosing top-level section: front | work | problems | plans | closing
#: part            front_matter | body | signature: front_matter is the title, delivery and
#:                 speaker lines, letterhead, 发文字号 and the salutation/addressee line; signature
#:                 the 落款 and closing block; body the rest. Only body units are tokenized, coded
#:                 and counted (tifa.runner.stages; themes, topics, frequencies, slogans)
#: para_id         int, 0-based within the document (headings are paragraphs of their own)
#: sent_id         int, 0-based within the document
#: is_heading      bool: this sentence is a heading line
#: text            the sentence
#: start           character offset of the sentence in the document's cleaned text
UNITS = [
    "doc_id", "section_id", "section_level", "section", "section_path", "section_role", "part",
    "para_id", "sent_id", "is_heading", "text", "start",
]

#: The tidy tokens table: one token per row, in reading order.
#:
#: doc_id, section_id, para_id, sent_id   where the token sits (see UNITS)
#: position     int, 0-based index of the token within its document (after dropping
#:              punctuation, whitespace and bare numbers)
#: token        the word as segmented by jieba with the lexicons
#: pos          jieba part-of-speech tag (``n``, ``v``, ``nz`` ...; user-dictionary terms ``nz``
#:              unless the dictionary says otherwise)
#: stop         bool: in the general Chinese stopword list
#: boilerplate  bool: in the report-boilerplate list (工作, 开展, 加强 ...); switchable
TOKENS = [
    "doc_id", "section_id", "para_id", "sent_id", "position", "token", "pos", "stop", "boilerplate",
]

#: The ``reference`` of a keyness row whose reference pools all the other groups (the
#: keyness table of :func:`tifa.analyze.compare.keyness`); charts colour it neutral.
REST = "（其余各组）"
