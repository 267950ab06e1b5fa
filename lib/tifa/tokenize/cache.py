"""The token cache on disk: keys, per-document entries, packs, atomic writes, stale temp cleanup.

One parquet file per document in ``tifa.paths.cache_dir() / "tokens"`` (or the ``cache_dir``
given to :func:`tifa.tokenize.tokenize`), holding the document's token table
(:data:`tifa.tokenize.core.TABLE_SCHEMA`), named by :func:`cache_key`: the sha256 of the
document's units (ids and texts), the lexicon fingerprint, the jieba version and
:data:`~tifa.tokenize.core.TOKENIZER_VERSION`. A call on at least :data:`PACK_MIN_DOCS`
documents also writes a *pack*, ``pack-<sha256 of the documents' keys>.parquet``, holding all
of their rows, so the next call on the same corpus reads one file instead of thousands; the
:data:`PACK_KEEP` most recently used packs are kept.

Every file is written atomically: a temporary file in the same folder (locked with ``flock``
while written), renamed into place. An unreadable entry or pack counts as a miss and is
rewritten; temporary files of writers that died (killed mid-write) are removed by the next call
that writes (:func:`remove_stale_temps`). This module is the one place in tifa, besides
exports, that writes files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from tifa import paths
from tifa.tokenize import core
from tifa.tokenize.lexicon import Lexicon

__all__ = [
    "PACK_MIN_DOCS", "PACK_KEEP", "STALE_TEMP_SECONDS", "default_cache_dir", "clear_cache",
    "cache_key", "read_entry", "write_entry", "read_pack", "write_pack", "remove_stale_temps",
]

#: A call with at least this many documents also keeps the whole corpus's tokens in one
#: "pack" file (see the module notes), so that the next call reads one file, not thousands.
PACK_MIN_DOCS = 200
#: Packs kept in the cache folder (the most recently used); older ones are deleted.
PACK_KEEP = 4
#: Without ``flock`` (Windows), a temporary file is taken for a dead writer's after this long.
STALE_TEMP_SECONDS = 24 * 3600


def default_cache_dir() -> Path:
    """Folder of the token cache entries: ``tifa.paths.cache_dir() / "tokens"``."""
    return paths.cache_dir() / "tokens"


def clear_cache(*, cache_dir: str | os.PathLike | None = None) -> int:
    """Delete the token cache entries and packs (and leftovers of interrupted writes).

    Parameters
    ----------
    cache_dir : str, path-like or None, default None
        The folder given to :func:`tifa.tokenize.tokenize`; None is :func:`default_cache_dir`.
        Only files this module writes there are removed; other files and the folder itself stay.

    Returns
    -------
    int
        Number of files removed.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if _is_ours(path.name) and path.is_file():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


def cache_key(doc: dict, lexicon: Lexicon) -> str:
    """The entry name (sha256 hex) of a document of :func:`tifa.tokenize.core.split_documents`."""
    h = hashlib.sha256()
    h.update(f"tifa-tokens\x1f{core.TOKENIZER_VERSION}\x1f{core.jieba_version()}\x1f"
             f"{lexicon.fingerprint}\x1f{doc['doc_id']}\x1e".encode("utf-8"))
    rows = zip(doc["section_id"].tolist(), doc["para_id"].tolist(), doc["sent_id"].tolist(),
               doc["text"])
    h.update("".join(f"{s}\x1f{p}\x1f{n}\x1f{t}\x1e" for s, p, n, t in rows).encode("utf-8"))
    return h.hexdigest()


def _read_parquet(path: Path) -> pa.Table | None:
    """A cache file's table, or None if absent, unreadable or of another shape.

    The file is read in one go and parsed in memory: several times quicker than pyarrow's
    dataset reader for an entry, and no slower for a pack.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        table = pq.ParquetFile(pa.BufferReader(data)).read()
    except FileNotFoundError:
        return None
    except Exception:  # corrupt, truncated, not parquet ...: a miss, rewritten later
        return None
    if not table.schema.remove_metadata().equals(core.TABLE_SCHEMA):
        return None
    return table


def read_entry(folder: Path, key: str) -> pa.Table | None:
    """A cached document table, or None if absent, unreadable or of another shape."""
    table = _read_parquet(folder / f"{key}.parquet")
    return None if table is None else table.replace_schema_metadata(None)


def _write_atomic(folder: Path, name: str, table: pa.Table, *, tmp_prefix: str,
                  **options) -> bool:
    """Write ``table`` to ``folder/name`` atomically; False (and nothing left behind) on failure.

    The temporary file (``.<tmp_prefix>.<pid>.<random>.tmp`` in the same folder) is locked
    (``flock``) while it is written and renamed before it is closed, so a temporary file that
    is not locked belongs to a writer that died (see :func:`remove_stale_temps`).
    """
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{tmp_prefix}.{os.getpid()}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            pq.write_table(table, fh, **options)
            fh.flush()
            os.replace(tmp, folder / name)
        return True
    except Exception:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def write_entry(folder: Path, key: str, table: pa.Table) -> bool:
    """Write one document's entry atomically; False (and nothing left behind) if that fails."""
    return _write_atomic(folder, f"{key}.parquet", table, tmp_prefix=key)


def _pack_digest(keys: list[str]) -> str:
    h = hashlib.sha256(f"tifa-tokens-pack\x1f{len(keys)}\x1e".encode())
    h.update("\n".join(keys).encode("ascii"))
    return h.hexdigest()


def read_pack(folder: Path, keys: list[str]) -> pa.Table | None:
    """The pack holding exactly these documents (in this order), or None."""
    path = folder / f"pack-{_pack_digest(keys)}.parquet"
    table = _read_parquet(path)
    if table is None:
        return None
    meta = table.schema.metadata or {}
    try:
        counts = json.loads(meta[b"tifa.rows"])
    except (KeyError, ValueError):
        return None
    if len(counts) != len(keys) or sum(counts) != table.num_rows:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by _prune_packs
    return table.replace_schema_metadata(None)


def write_pack(folder: Path, keys: list[str], tables: list[pa.Table | None]) -> bool:
    """Keep the corpus's tokens in one pack file; prune the packs beyond :data:`PACK_KEEP`."""
    if any(t is None for t in tables):
        return False
    table = pa.concat_tables(tables) if tables else core.TABLE_SCHEMA.empty_table()
    rows = json.dumps([t.num_rows for t in tables]).encode()
    table = table.replace_schema_metadata({b"tifa.rows": rows})
    digest = _pack_digest(keys)
    options = {"compression": "zstd"} if pa.Codec.is_available("zstd") else {}
    ok = _write_atomic(folder, f"pack-{digest}.parquet", table, tmp_prefix=f"pack-{digest}",
                       row_group_size=max(1, table.num_rows), **options)
    if ok:
        _prune_packs(folder)
    return ok


def _prune_packs(folder: Path) -> None:
    try:
        packs = [(p.stat().st_mtime, p) for p in folder.glob("pack-*.parquet")
                 if _is_ours(p.name)]
    except OSError:
        return
    packs.sort(reverse=True)
    for _, path in packs[PACK_KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()


def _is_ours(name: str) -> bool:
    """A file this module writes: an entry, a pack, or the temporary file of either."""
    if name.endswith(".parquet"):
        stem = name[:-8]
        return _is_hex(stem) or (stem.startswith("pack-") and _is_hex(stem[5:]))
    if name.startswith(".") and name.endswith(".tmp"):
        return _is_hex(name[1:65]) or (name.startswith(".pack-") and _is_hex(name[6:70]))
    return False


def remove_stale_temps(folder: Path) -> int:
    """Delete temporary files left by writers that died (killed mid-write); return how many.

    A live writer holds a lock on its temporary file, so a file whose lock can be taken is a
    leftover. Without ``flock``, files older than :data:`STALE_TEMP_SECONDS` count as leftovers.
    """
    removed = 0
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(".") and e.name.endswith(".tmp")]
    except OSError:
        return 0
    for name in names:
        if not _is_ours(name):
            continue
        path = folder / name
        try:
            if fcntl is None:
                if time.time() - path.stat().st_mtime < STALE_TEMP_SECONDS:
                    continue
                path.unlink()
            else:
                with open(path, "rb") as fh:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # being written right now
                    path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def _is_hex(s: str) -> bool:
    return len(s) == 64 and all(c in "0123456789abcdef" for c in s)
