"""Units -> tokens: jieba with the lexicons of ``data/``, one token a row, cached, in parallel."""
