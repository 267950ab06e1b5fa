"""Units -> tokens: jieba with the lexicons of ``data/``, one token a row, cached, in parallel.

The public API is re-exported here: :func:`tokenize`, :func:`filter_tokens`,
:func:`attach_counts`, :func:`flag_tokens`, :func:`clear_cache`, :func:`default_cache_dir`,
:data:`TOKENIZER_VERSION`, :class:`Lexicon` and :func:`load_lexicon`. The modules, lowest first
(each imports only those before it):

``lexicon``
    the word lists of ``data/`` (user dictionary, stopwords, boilerplate).
``_jieba_fast``
    private: jieba's hot paths re-implemented with the same output, for the tested jieba.
``core``
    cut one document (tokenizer per lexicon, kept tokens, the document's table), the tokens
    table with its flags, ``filter_tokens``, ``attach_counts``, ``flag_tokens``.
``cache``
    keys, per-document entries, packs, atomic writes, ``clear_cache``.
``backends``
    serial and process-pool cutting (and cache writes) on this machine.
``dask``
    cutting, or any function of the tokens (``map_tokens``), on a Dask cluster.
``api``
    :func:`tokenize`, which reads the cache and sends the rest to a backend.
"""

from tifa.tokenize.api import tokenize
from tifa.tokenize.cache import clear_cache, default_cache_dir
from tifa.tokenize.core import (
    TOKENIZER_VERSION,
    JiebaFallbackWarning,
    attach_counts,
    filter_tokens,
    flag_tokens,
)
from tifa.tokenize.lexicon import Lexicon, load_lexicon

__all__ = [
    "tokenize", "filter_tokens", "attach_counts", "flag_tokens", "clear_cache",
    "default_cache_dir", "TOKENIZER_VERSION", "JiebaFallbackWarning", "Lexicon", "load_lexicon",
]
