"""Figures and tables -> what leaves the machine: captions, atomic exports, the briefing pack.

``captions`` (one-line captions from result tables), ``export`` (atomic writes of figures,
tables and data), ``briefing`` (the pack: HTML, PPTX, XLSX, manifest), ``explore`` (the
interactive explorer).
"""
