"""The lexicons that steer tokenization: user dictionary, stopwords and report boilerplate.

Three editable files in the data folder (:func:`tifa.paths.data_dir`) feed one immutable
:class:`Lexicon`:

``userdict.txt``     jieba user dictionary (``word freq pos`` a line, ``#`` comments): domain terms
                     that must stay whole (习近平法治思想, 合法性审查, 领事保护 ...)
``stopwords.txt``    local edits to the maintained stopword list of the stopwords-iso project
                     (package ``stopwordsiso``): a word a line adds it, ``-word`` removes it
``boilerplate.txt``  report boilerplate (工作, 开展, 加强 ...), kept apart from the stopwords so
                     that an analysis can switch it on or off

Only the user dictionary changes how text is cut, so only it (plus any ``extra_terms``) enters
:attr:`Lexicon.fingerprint`, part of the key of :mod:`tifa.tokenize.cache` entries. Stopword
and boilerplate flags are recomputed on every call, so editing those lists never invalidates the
token cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tifa import paths

__all__ = [
    "Lexicon", "load_lexicon", "read_userdict", "read_wordlist",
    "USERDICT_FILE", "STOPWORDS_FILE", "BOILERPLATE_FILE", "DEFAULT_FREQ", "DEFAULT_POS",
]

#: Default file names inside the data folder.
USERDICT_FILE = "userdict.txt"
STOPWORDS_FILE = "stopwords.txt"
BOILERPLATE_FILE = "boilerplate.txt"

#: jieba frequency given to a user-dictionary entry that states none (and to ``extra_terms``).
#: High enough to keep a term whole next to common words, low enough not to shift the
#: segmentation of unrelated text (see data/README.md).
DEFAULT_FREQ = 5000

#: Part of speech given to a user-dictionary entry that states none (``nz``: other proper noun,
#: jieba's tag for formulations).
DEFAULT_POS = "nz"

# jieba cuts its input into blocks of these characters before looking words up (the
# ``re_han_internal`` pattern of jieba.posseg); a term with any other character (space, ·, 、,
# brackets ...) can never come out whole.
_JIEBA_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]+")
_POS_TAG = re.compile(r"[a-zA-Z]+")
_FINGERPRINT_VERSION = "tifa-lexicon-1"

Entry = tuple[str, int, str]


@dataclass(frozen=True)
class Lexicon:
    """Everything tokenization needs to know about words, frozen.

    Build one with :func:`load_lexicon`; the constructor takes already-parsed content.

    Parameters
    ----------
    userdict : tuple of (word, freq, pos), default ()
        User-dictionary entries, in file order, one per word.
    extra_terms : tuple of str, default ()
        Further terms to keep whole (e.g. slogans found by another module). They are added to the
        jieba dictionary with :data:`DEFAULT_FREQ` and :data:`DEFAULT_POS` unless the user
        dictionary already has them.
    stopwords : frozenset of str, default frozenset()
        General Chinese stopwords: tokens flagged ``stop``.
    boilerplate : frozenset of str, default frozenset()
        Report boilerplate: tokens flagged ``boilerplate``.
    skipped : tuple of str, default ()
        Terms left out because jieba could never keep them whole (they contain a space or a
        character such as ``·`` ``、`` ``（`` at which jieba splits its input).

    Attributes
    ----------
    fingerprint : str
        sha256 (hex) of what changes the segmentation: the dictionary entries added to jieba
        (:attr:`entries`). Stopwords and boilerplate do not enter it.
    """

    userdict: tuple[Entry, ...] = ()
    extra_terms: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()
    boilerplate: frozenset[str] = frozenset()
    skipped: tuple[str, ...] = ()
    fingerprint: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        payload = json.dumps([_FINGERPRINT_VERSION, sorted(self.entries)], ensure_ascii=False)
        object.__setattr__(self, "fingerprint", hashlib.sha256(payload.encode("utf-8")).hexdigest())

    @property
    def entries(self) -> tuple[Entry, ...]:
        """All (word, freq, pos) entries given to jieba: the user dictionary, then extra terms."""
        known = {word for word, _, _ in self.userdict}
        extra = tuple((t, DEFAULT_FREQ, DEFAULT_POS) for t in self.extra_terms if t not in known)
        return self.userdict + extra


def load_lexicon(
    *,
    userdict: str | os.PathLike | Iterable | None = None,
    stopwords: str | os.PathLike | Iterable[str] | None = None,
    boilerplate: str | os.PathLike | Iterable[str] | None = None,
    extra_terms: Iterable[str] = (),
) -> Lexicon:
    """Read the lexicon files into a :class:`Lexicon`.

    Parameters
    ----------
    userdict : path, iterable or None, default None
        None reads ``userdict.txt`` from the data folder. A path reads that file (jieba format
        ``word [freq] [pos]``, ``#`` comments). An iterable gives the entries directly, each a
        word or a ``(word, freq, pos)`` tuple (freq and pos may be left out); ``()`` means no
        user dictionary.
    stopwords : path, iterable or None, default None
        None applies ``stopwords.txt`` from the data folder to the maintained stopwords-iso
        ``zh`` list. A path applies that file instead: each line adds a word, ``-word`` removes
        one from the maintained list. An iterable of words is used as the complete list, without
        the maintained one; ``()`` means no stopwords.
    boilerplate : path, iterable or None, default None
        None reads ``boilerplate.txt`` from the data folder; a path reads that file (a word a
        line); an iterable of words is used as is; ``()`` means no boilerplate.
    extra_terms : iterable of str, default ()
        Terms to keep whole in addition to the user dictionary (e.g. extracted slogans).
        Surrounding whitespace is stripped, empty strings and duplicates are dropped.

    Returns
    -------
    Lexicon
        Terms jieba could never keep whole (with spaces or punctuation) are listed in
        :attr:`Lexicon.skipped` instead of being added.

    Raises
    ------
    FileNotFoundError
        A lexicon file (default or given) does not exist.
    ValueError
        A user-dictionary line has a malformed frequency or part of speech.
    """
    skipped: list[str] = []
    if userdict is None or isinstance(userdict, (str, os.PathLike)):
        raw_entries = read_userdict(_path_or_default(userdict, USERDICT_FILE))
    else:
        raw_entries = [_entry_from_item(item) for item in userdict]
    entries: dict[str, Entry] = {}
    for word, freq, pos in raw_entries:
        if _keepable(word):
            entries[word] = (word, freq, pos)  # a later line wins, as in jieba
        elif word not in skipped:
            skipped.append(word)

    extra: dict[str, None] = {}
    for term in extra_terms:
        term = str(term).strip()
        if not term:
            continue
        if _keepable(term):
            extra[term] = None
        elif term not in skipped:
            skipped.append(term)

    if stopwords is None or isinstance(stopwords, (str, os.PathLike)):
        stop = _maintained_stopwords()
        removals, additions = set(), set()
        for word in read_wordlist(_path_or_default(stopwords, STOPWORDS_FILE)):
            if word.startswith("-") and len(word) > 1:
                removals.add(word[1:])
            else:
                additions.add(word)
        stop = (stop | additions) - removals
    else:
        stop = {str(w).strip() for w in stopwords} - {""}

    if boilerplate is None or isinstance(boilerplate, (str, os.PathLike)):
        boiler = set(read_wordlist(_path_or_default(boilerplate, BOILERPLATE_FILE)))
    else:
        boiler = {str(w).strip() for w in boilerplate} - {""}

    return Lexicon(
        userdict=tuple(entries.values()),
        extra_terms=tuple(extra),
        stopwords=frozenset(stop),
        boilerplate=frozenset(boiler),
        skipped=tuple(skipped),
    )


def read_userdict(path: str | os.PathLike) -> list[Entry]:
    """Parse a jieba user-dictionary file with ``#`` comments.

    Parameters
    ----------
    path : str or path-like
        UTF-8 file, one ``word [freq] [pos]`` entry a line. Blank lines and lines starting with
        ``#`` are skipped. A missing freq becomes :data:`DEFAULT_FREQ`, a missing pos
        :data:`DEFAULT_POS`.

    Returns
    -------
    list of (word, freq, pos)
        In file order (duplicates kept; the last one wins when loaded).

    Raises
    ------
    ValueError
        A line has more than three fields, a frequency that is not a positive integer, or a part
        of speech that is not letters. The message names the file and line.
    """
    path = Path(path)
    out: list[Entry] = []
    for lineno, line in _lines(path):
        parts = line.split()
        try:
            out.append(_entry_from_item(parts))
        except ValueError as err:
            raise ValueError(f"{path}, line {lineno}: {err} (line: {line!r})") from None
    return out


def read_wordlist(path: str | os.PathLike) -> list[str]:
    """Read a word list: one word a line, blank lines and ``#`` comment lines skipped.

    Parameters
    ----------
    path : str or path-like
        UTF-8 text file (a BOM is tolerated).

    Returns
    -------
    list of str
        The words, stripped, in file order.
    """
    return [line for _, line in _lines(Path(path))]


# --------------------------------------------------------------------------------------------


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    if not path.is_file():
        raise FileNotFoundError(
            f"lexicon file not found: {path} (the data folder is set by $TIFA_DATA, "
            f"default {paths.PROJECT_ROOT / 'data'})"
        )
    text = path.read_text(encoding="utf-8-sig")
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield lineno, line


def _path_or_default(value: str | os.PathLike | None, name: str) -> Path:
    return paths.data_file(name) if value is None else Path(value)


def _entry_from_item(item) -> Entry:
    """(word), (word, freq), (word, pos), (word, freq, pos) or a bare word -> (word, freq, pos)."""
    if isinstance(item, str):
        item = [item]
    parts = [str(p).strip() for p in item]
    if not parts or not parts[0] or len(parts) > 3:
        raise ValueError("expected `word [freq] [pos]`")
    word, rest = parts[0], parts[1:]
    freq, pos = DEFAULT_FREQ, DEFAULT_POS
    if rest and rest[0].isdigit():
        freq = int(rest.pop(0))
        if freq <= 0:
            raise ValueError("frequency must be a positive integer")
    if rest:
        pos = rest.pop(0)
        if not _POS_TAG.fullmatch(pos):
            raise ValueError(f"part of speech must be letters such as nz, n, v, got {pos!r}")
    if rest:
        raise ValueError("frequency must be a positive integer")
    return (word, freq, pos)


def _keepable(word: str) -> bool:
    return bool(_JIEBA_BLOCK.fullmatch(word))


def _maintained_stopwords() -> set[str]:
    import stopwordsiso

    return set(stopwordsiso.stopwords("zh"))
