"""Sources -> corpus -> units: read files and tables, decode, clean, read metadata, segment.

``readers`` (one reader per format, encoding detection; HTML chrome marked) -> ``clean`` (mend
the text, line by line) -> ``chrome`` (page chrome found: patterns, page edges, lines repeated
across documents) -> ``metadata`` (genre, title, agency, region, year, date, speaker, 发文字号,
web source and time; regions through ``divisions``) -> ``corpus`` (the documents table, the
ingest report and the cleaning table) -> ``units`` (sections, paragraphs, sentences and their
part: front matter, body, signature).
"""
