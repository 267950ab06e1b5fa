"""Tokens and units -> result tables. Pure functions: tables in, tables out.

``groups`` (the ``by=`` grouping every comparison shares), ``frequency`` (counts, rates,
n-grams, collocations), ``kwic`` (concordance), ``compare`` (keyness, TF-IDF, similarity),
``themes`` (codebook coding), ``topics`` (NMF), ``slogans`` (formulations, 提法).
"""
