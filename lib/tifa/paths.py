"""Where tifa finds its editable lexicons and keeps its cache.

Nothing here is seed-specific: the default corpus is just ``seeds/`` at the project root.
Environment variables override the defaults so that an installed tifa can be pointed at
another data folder or cache:

``TIFA_DATA``   folder of lexicons (user dictionary, stopwords, codebook ...); default ``data/``
``TIFA_CACHE``  token cache folder; default ``~/.cache/tifa`` (``$XDG_CACHE_HOME/tifa``)
"""

from __future__ import annotations

import os
from pathlib import Path

#: The project root (the folder holding README.md, data/, seeds/, notebooks/).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Folder of the editable lexicons (``$TIFA_DATA`` or ``<project>/data``)."""
    return Path(os.environ.get("TIFA_DATA") or PROJECT_ROOT / "data")


def data_file(name: str) -> Path:
    """Path of one lexicon file in :func:`data_dir` (it need not exist)."""
    return data_dir() / name


def cache_dir() -> Path:
    """Folder of the token cache (``$TIFA_CACHE``, else ``$XDG_CACHE_HOME/tifa``, else ``~/.cache/tifa``)."""
    if os.environ.get("TIFA_CACHE"):
        return Path(os.environ["TIFA_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tifa"


def notebooks_dir() -> Path:
    """Folder of the numbered notebooks run by the pipeline."""
    return PROJECT_ROOT / "notebooks"


def default_corpus() -> Path:
    """The default corpus: ``seeds/`` at the project root."""
    return PROJECT_ROOT / "seeds"
