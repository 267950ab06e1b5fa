"""Sources -> corpus -> units: read files and tables, decode, clean, read metadata, segment.

``readers`` (one reader per format, encoding detection) -> ``clean`` (mend the text) ->
``metadata`` (title, agency, region, year, date from the text) -> ``corpus`` (the documents
table and the ingest report) -> ``units`` (sections, paragraphs, sentences).
"""
