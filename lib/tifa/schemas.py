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
#: title, agency, region   strings, missing (NA) when the text does not say
#: year       Int64: the year reported on; date: datetime64 signing date; both may be missing
#: label      short human label for charts (region + year, else title, else doc_id); unique
#: n_chars    characters of the cleaned text
#: n_tokens   Int64 tokens after tokenization (filled in by :func:`tifa.tokenize.attach_counts`)
#: raw_text   the decoded text exactly as read; text: the cleaned text
DOCUMENTS = [
    "doc_id", "source", "format", "encoding", "sha256",
    "title", "agency", "region", "year", "date", "label",
    "n_chars", "n_tokens", "raw_text", "text",
]

#: Metadata columns a user may supply (table columns / manifest) that win over extraction.
METADATA = ["title", "agency", "region", "year", "date", "label"]

#: The ingest report: one row per input (file or table row) looked at.
#: status: ok | skipped | duplicate.  reason: a sentence a person understands (empty for a
#: clean ok).  notes: warnings on accepted documents (e.g. metadata not found in the text).
INGEST = ["source", "doc_id", "status", "reason", "notes", "format", "encoding", "bytes"]

#: The units table: one row per sentence, carrying its paragraph and section.
#:
#: doc_id
#: section_id      int, 0-based within the document; 0 is the front matter before any heading
#: section_level   0 front matter/title, 1 ``一、``, 2 ``（一）``, 3 ``1.`` / ``（1）``
#: section         the heading text of the innermost section (NA for front matter)
#: section_path    headings from the top, joined with `` > ``
#: section_role    role of the enclosing top-level section: front | work | problems | plans | closing
#: para_id         int, 0-based within the document (headings are paragraphs of their own)
#: sent_id         int, 0-based within the document
#: is_heading      bool: this sentence is a heading line
#: text            the sentence
#: start           character offset of the sentence in the document's cleaned text
UNITS = [
    "doc_id", "section_id", "section_level", "section", "section_path", "section_role",
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
