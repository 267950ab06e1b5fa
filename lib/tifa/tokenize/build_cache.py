"""The built part-of-speech tokenizer, kept on disk so that a process loads it instead of building it.

Building jieba's part-of-speech tokenizer with tifa's user dictionary takes 1.6–1.8 s before
the first character is cut: jieba loads its word frequencies (``Tokenizer.initialize``), the
POS tokenizer parses its tag table out of ``dict.txt`` (``load_word_tag``), the user entries
are added, and the fast path precomputes ``log(freq) - log(total)`` per entry
(:class:`tifa.tokenize._jieba_fast.FastDAG`). Every notebook kernel and benchmark process paid
it again. What the build leaves — jieba's ``FREQ`` and ``total`` with the user entries in them,
the tag table, and the fast path's log-probabilities — is stored here as one :mod:`marshal`
file (the keys shared by the three tables, so each word is read once), loaded in about a third
of the time.

The file is named by :func:`build_key`: the sha256 of jieba's dictionary file, jieba's
version, the lexicon fingerprint (the user entries), tifa's ``TOKENIZER_VERSION``, this
module's :data:`BUILD_CACHE_VERSION` and the Python version (marshal's format), so a changed
dictionary, user dictionary or jieba builds afresh. Files live in
``tifa.paths.cache_dir() / "tokenizer"`` (beside the token cache; ``TIFA_CACHE`` moves both),
are written atomically (a temporary file renamed into place), and the :data:`KEEP` most
recently used are kept. An unreadable or foreign file is a miss; an unwritable folder only
means the next process builds again. Only the fast path's tokenizer is cached (the plain
``jieba.posseg`` fallback is built as jieba builds it).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from pathlib import Path

from tifa import paths
from tifa.tokenize import _jieba_fast
from tifa.tokenize.lexicon import Lexicon

__all__ = ["BUILD_CACHE_VERSION", "KEEP", "default_build_dir", "dictionary_digest", "build_key",
           "load_tokenizer", "save_tokenizer"]

#: Bump when what a build file holds changes.
BUILD_CACHE_VERSION = "1"

#: Build files kept (the most recently used); one per lexicon, so a few are enough.
KEEP = 8

_SUFFIX = ".marshal"


def default_build_dir() -> Path:
    """Folder of the tokenizer build files: ``tifa.paths.cache_dir() / "tokenizer"``."""
    return paths.cache_dir() / "tokenizer"


_DIGESTS: dict[str, str] = {}


def dictionary_digest() -> str | None:
    """sha256 of jieba's main dictionary file (located without importing jieba), or None."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "dict.txt"
    key = str(path)
    if key not in _DIGESTS:
        try:
            with open(path, "rb") as fh:
                _DIGESTS[key] = hashlib.file_digest(fh, "sha256").hexdigest() \
                    if hasattr(hashlib, "file_digest") else hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            return None
    return _DIGESTS[key]


def build_key(lexicon: Lexicon, *, jieba_version: str, tokenizer_version: str) -> str | None:
    """The build file's name (sha256 hex) for a lexicon; None when jieba's dictionary is missing."""
    digest = dictionary_digest()
    if digest is None:
        return None
    parts = ["tifa-tokenizer-build", BUILD_CACHE_VERSION, tokenizer_version, jieba_version,
             digest, lexicon.fingerprint, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def load_tokenizer(key: str | None, *, folder: Path | None = None):
    """The fast path's POS tokenizer rebuilt from its build file, or None (no file, unreadable).

    The tokenizer is what :func:`tifa.tokenize.core.tokenizer_for` builds: a private
    ``jieba.Tokenizer`` (initialised, user entries in) inside the fast path's POS tokenizer
    class, with its :class:`~tifa.tokenize._jieba_fast.FastDAG` attached.
    """
    if key is None:
        return None
    path = (folder or default_build_dir()) / f"{key}{_SUFFIX}"
    try:
        with open(path, "rb") as fh:
            data = marshal.loads(fh.read())
        version, freq, total, logp, tags = data
        if version != BUILD_CACHE_VERSION or not isinstance(freq, dict) or len(freq) != len(logp):
            return None
    except (OSError, EOFError, ValueError, TypeError):
        return None
    import jieba

    base = jieba.Tokenizer()
    base.FREQ, base.total, base.initialized = freq, total, True
    tok = _jieba_fast.pos_tokenizer_class().from_tables(base, tags)
    _jieba_fast.FastDAG.of(tok, logp=logp)
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when older files are pruned
    return tok


def save_tokenizer(key: str | None, tok, *, folder: Path | None = None) -> bool:
    """Store a built fast-path tokenizer under ``key``, atomically; False if it cannot be written."""
    fast = _jieba_fast.FastDAG.of(tok)
    if key is None or fast is None or tok.tokenizer.user_word_tag_tab:
        return False
    freq = tok.tokenizer.FREQ
    same = {w: w for w in freq}  # one string object per word: marshal writes the rest as refs
    tags = {same.get(w, w): t for w, t in tok.word_tag_tab.items()}
    logp = {w: fast.logp[w] for w in freq}
    data = marshal.dumps((BUILD_CACHE_VERSION, freq, tok.tokenizer.total, logp, tags), 4)
    target = folder or default_build_dir()
    tmp = None
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target / f"{key}{_SUFFIX}")
        tmp = None
    except OSError:
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _prune(target)
    return True


def _prune(folder: Path) -> None:
    try:
        files = sorted(((p.stat().st_mtime, p) for p in folder.glob(f"*{_SUFFIX}")), reverse=True)
    except OSError:
        return
    for _, path in files[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
