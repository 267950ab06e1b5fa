"""The jieba fast path: jieba's own cutting, re-implemented where it spends its time.

Private to :mod:`tifa.tokenize`; :mod:`tifa.tokenize.core` is its one caller. jieba cuts a
sentence block by block (runs of ideographs, letters and digits, and what lies between them,
:func:`han_split`), each block on its own, so:

* a block is cut by :class:`FastDAG`, jieba's own three steps (candidate words, best route,
  tagging) fused into one pass with the same arithmetic and tie-breaking;
* the HMM's result for a stretch of characters the dictionary lacks is remembered, and the
  part-of-speech Viterbi itself (:func:`pos_viterbi`) scores only the transitions that exist
  instead of every pair of states (:func:`pos_tokenizer_class`).

Each of these gives exactly jieba's output (checked on every block of the 5,000-report
benchmark corpus; tests/test_tokens_fast.py compares them on the seeds and on random text);
together they make cutting several times faster than ``jieba.posseg`` and faster than plain
``jieba.lcut`` (benchmarks/results.md).

They read jieba's internals (name-mangled methods, module tables), so they serve only the
jieba versions they are tested against, :data:`TESTED_JIEBA` (pyproject.toml and
environment.yml pin jieba to that series). :func:`fast_path_problem` says why another jieba
cannot be served; :func:`tifa.tokenize.core.use_fast_path` then warns and cuts with
``jieba.posseg`` itself.
"""

from __future__ import annotations

import io
import math
import sys
import types

__all__ = ["TESTED_JIEBA", "posseg_module", "fast_path_problem", "pos_tokenizer_class",
           "pos_viterbi", "han_split", "FastDAG"]

#: jieba versions the fast path is tested against (tests/test_tokens_fast.py); keep in step with
#: the jieba pin of pyproject.toml and environment.yml.
TESTED_JIEBA = ("0.42.1",)


class _TagsOnFirstUse(dict):
    """The tag table of ``jieba.posseg.dt``, parsed from ``dict.txt`` when it is first used.

    Importing ``jieba.posseg`` builds that module-level tokenizer, whose tag table jieba parses
    from ``dict.txt`` at once (about 0.4 s); tifa cuts with its own tokenizers and never uses
    it. Standing in for the table, this object parses it (jieba's own ``load_word_tag``) at
    the first lookup and hands over to the real dict, so the global tokenizer behaves exactly
    as jieba's for anyone who does use it.
    """

    def __init__(self, owner):
        super().__init__()
        self._owner = owner

    def _real(self) -> dict:
        owner = self._owner
        if owner.word_tag_tab is self:
            owner.load_word_tag(owner.tokenizer.get_dict_file())  # sets owner.word_tag_tab
        return owner.word_tag_tab

    def get(self, *args):
        return self._real().get(*args)

    def __getitem__(self, key):
        return self._real()[key]

    def __contains__(self, key):
        return key in self._real()

    def __iter__(self):
        return iter(self._real())

    def __len__(self):
        return len(self._real())

    def __bool__(self):
        return bool(self._real())

    def items(self):
        return self._real().items()

    def keys(self):
        return self._real().keys()

    def values(self):
        return self._real().values()

    def update(self, *args, **kwargs):
        return self._real().update(*args, **kwargs)

    def __setitem__(self, key, value):
        self._real()[key] = value


def posseg_module():
    """``jieba.posseg``, imported without parsing its global tokenizer's tag table up front.

    The module-level ``jieba.posseg.dt`` gets its table on first use (:class:`_TagsOnFirstUse`);
    tifa's tokenizers never use it. Only for the jieba versions of :data:`TESTED_JIEBA` (any
    other is imported as it is).
    """
    if "jieba.posseg" in sys.modules:
        return sys.modules["jieba.posseg"]
    import jieba

    if getattr(jieba, "__version__", None) not in TESTED_JIEBA or not hasattr(jieba, "dt"):
        import jieba.posseg

        return jieba.posseg
    # while the module runs, the global jieba.dt hands POSTokenizer.__init__ an empty dictionary
    jieba.dt.get_dict_file = types.MethodType(lambda self: io.BytesIO(b""), jieba.dt)
    try:
        import jieba.posseg
    finally:
        del jieba.dt.get_dict_file  # the class's method again
    dt = getattr(jieba.posseg, "dt", None)
    if dt is not None and getattr(dt, "word_tag_tab", None) == {}:
        dt.word_tag_tab = _TagsOnFirstUse(dt)
    return jieba.posseg


_POS_INTERNALS = ("char_state_tab_P", "start_P", "trans_P", "emit_P", "re_han_internal", "pair")


def fast_path_problem(version: str) -> str | None:
    """Why the fast path cannot serve jieba ``version`` (the installed one), or None if it can."""
    if version not in TESTED_JIEBA:
        return (f"jieba {version} is installed, but tifa's fast tokenizer is tested with jieba "
                f"{', '.join(TESTED_JIEBA)} only")
    posseg = posseg_module()

    missing = [name for name in _POS_INTERNALS if not hasattr(posseg, name)]
    missing += [name for name in _POS_INTERNALS[:4]
                if name not in missing and not isinstance(getattr(posseg, name), dict)]
    missing += [f"POSTokenizer.{name}" for name in ("_POSTokenizer__cut_detail",
                                                    "_POSTokenizer__cut")
                if not hasattr(posseg.POSTokenizer, name)]
    if missing:
        return (f"jieba {version} lacks the internals tifa's fast tokenizer reads "
                f"({', '.join(missing)})")
    return None


_POS_CLASS = None
_HMM_MEMO_MAX = 200_000
_MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's floor for unseen emissions


def pos_viterbi(obs: str, states: dict, start_p: dict, trans_p: dict, emit_p: dict,
                incoming: dict) -> list:
    """jieba.posseg.viterbi.viterbi, with the same result and less work per character.

    jieba scores, for every state ``y`` a character may take, every state ``y0`` of the
    previous character, adding ``-inf`` when ``y0`` cannot go to ``y``; such a candidate never
    wins (there is always a finite one), so only the states with a transition into ``y``
    (``incoming[y]``) are scored here. Sums are formed in jieba's order
    (``V[y0] + trans + emit``) and ties go to the larger ``y0``, as jieba's ``max`` over
    ``(prob, y0)`` tuples does. Returns the state route (jieba's ``pos_list``).
    """
    all_states = trans_p.keys()
    first = obs[0]
    v = {y: start_p[y] + emit_p[y].get(first, _MIN_FLOAT) for y in states.get(first, all_states)}
    paths = [dict.fromkeys(v, "")]
    for t in range(1, len(obs)):
        prev_states = [x for x in paths[t - 1] if trans_p[x]]
        expect: set = set()
        for x in prev_states:
            expect.update(trans_p[x])
        obs_states = set(states.get(obs[t], all_states)) & expect
        if not obs_states:
            obs_states = expect if expect else all_states
        ch = obs[t]
        nv: dict = {}
        mem: dict = {}
        for y in obs_states:
            into = incoming.get(y, {})
            e = emit_p[y].get(ch, _MIN_FLOAT)
            best = best_s = None
            for y0 in prev_states:
                tp = into.get(y0)
                if tp is None:
                    continue
                p = v[y0] + tp + e
                if best is None or p > best or (p == best and y0 > best_s):
                    best, best_s = p, y0
            if best is None:  # jieba: every candidate -inf, the largest state wins
                best_s = max(prev_states)
                best = v[best_s] + float("-inf") + e
            nv[y] = best
            mem[y] = best_s
        v = nv
        paths.append(mem)
    _, state = max((v[y], y) for y in paths[-1])
    route = [None] * len(obs)
    for i in range(len(obs) - 1, -1, -1):
        route[i] = state
        state = paths[i][state]
    return route


def pos_tokenizer_class():
    """jieba's POSTokenizer, remembering the HMM cut of stretches of unknown characters.

    jieba 0.42 spends most of its time in the pure-Python Viterbi over stretches its dictionary
    does not cover (names, new words); the same stretches recur from sentence to sentence and
    report to report. The Viterbi result depends on the stretch alone, so remembering it
    changes nothing in the output; and the Viterbi itself is :func:`pos_viterbi`, which gives
    jieba's result with less work. Only for a jieba :func:`fast_path_problem` accepts.
    """
    global _POS_CLASS
    if _POS_CLASS is None:
        posseg = posseg_module()
        base = posseg.POSTokenizer
        plain_detail = base._POSTokenizer__cut_detail
        model = [getattr(posseg, name)
                 for name in ("char_state_tab_P", "start_P", "trans_P", "emit_P")]
        pair = posseg.pair
        incoming: dict = {}
        for y0, nexts in model[2].items():
            for y, prob in nexts.items():
                incoming.setdefault(y, {})[y0] = prob

        class MemoPOSTokenizer(base):
            def __init__(self, tokenizer):
                super().__init__(tokenizer)
                self._hmm_memo = {}

            @classmethod
            def from_tables(cls, tokenizer, word_tag_tab: dict):
                """The tokenizer around an initialised ``jieba.Tokenizer`` and a tag table
                already built (:mod:`tifa.tokenize.build_cache`): what ``__init__`` makes,
                without parsing ``dict.txt`` again."""
                self = cls.__new__(cls)
                self.tokenizer = tokenizer
                self.word_tag_tab = word_tag_tab
                self._hmm_memo = {}
                return self

            # overrides jieba's name-mangled ``__cut_detail`` (called by ``__cut_DAG``)
            def _POSTokenizer__cut_detail(self, sentence):
                memo = self._hmm_memo
                hit = memo.get(sentence)
                if hit is None:
                    if len(memo) >= _HMM_MEMO_MAX:
                        memo.clear()
                    hit = memo[sentence] = tuple(plain_detail(self, sentence))
                return iter(hit)

            # overrides jieba's ``__cut`` (the HMM over a run of ideographs, called by
            # ``__cut_detail``): the same code around :func:`pos_viterbi`
            def _POSTokenizer__cut(self, sentence):
                pos_list = pos_viterbi(sentence, *model, incoming)
                begin, nexti = 0, 0
                for i, char in enumerate(sentence):
                    pos = pos_list[i][0]
                    if pos == "B":
                        begin = i
                    elif pos == "E":
                        yield pair(sentence[begin:i + 1], pos_list[i][1])
                        nexti = i + 1
                    elif pos == "S":
                        yield pair(char, pos_list[i][1])
                        nexti = i + 1
                if nexti < len(sentence):
                    yield pair(sentence[nexti:], pos_list[nexti][1])

        _POS_CLASS = MemoPOSTokenizer
    return _POS_CLASS


def han_split():
    """jieba.posseg's own splitter of a sentence into blocks it cuts independently."""
    return posseg_module().re_han_internal


_MISSING = object()


class FastDAG:
    """jieba.posseg's ``__cut_DAG`` (HMM on) for one tokenizer, with less Python per character.

    jieba builds a dict of candidate word ends (``Tokenizer.get_DAG``), then the best route
    through it (``Tokenizer.calc``: maximum of ``(log(freq or 1) - log(total) + route[x + 1],
    x)``), then walks the route, tagging words from its tag table and handing runs of single
    characters that are no word to the HMM (``__cut_detail``). This does the same three steps in
    one pass from the right, with the same floating-point operations in the same order and the
    same tie-breaking (the larger end wins), and remembers ``log(freq or 1) - log(total)`` per
    word, so its output is identical. It is used only when the tokenizer has the attributes it
    reads; otherwise blocks are cut by jieba itself.
    """

    __slots__ = ("freq", "tags", "detail", "logp", "alone", "total")

    def __init__(self, posseg, logp: dict | None = None):
        freq = posseg.tokenizer.FREQ
        self.freq = freq
        self.total = posseg.tokenizer.total
        logtotal = math.log(self.total)
        self.tags = posseg.word_tag_tab
        self.detail = posseg._POSTokenizer__cut_detail  # the memoised HMM of MemoPOSTokenizer
        # every dictionary entry (words and their prefixes, which jieba stores with frequency 0)
        # -> calc's log(freq) - log(total) for a word, None for a mere prefix (``logp``: this
        # table as an earlier build computed it, from the same freq and total)
        log = math.log
        if logp is None:
            logp = {w: (log(f) - logtotal if f else None) for w, f in freq.items()}
        self.logp = logp
        self.alone = log(1) - logtotal  # a character that is no word: log(freq or 1) = log(1)

    @classmethod
    def of(cls, posseg, *, logp: dict | None = None):
        """The fast path of ``posseg`` (built once and kept on it), or None if not applicable.

        ``logp``: the log-probability table of an earlier build of the same tokenizer
        (:mod:`tifa.tokenize.build_cache`), used instead of computing it.
        """
        fast = getattr(posseg, "_tifa_fast", None)
        if (fast is not None and fast.total == posseg.tokenizer.total
                and len(fast.logp) == len(posseg.tokenizer.FREQ)):
            return fast
        try:
            fast = cls(posseg, logp)
            posseg._tifa_fast = fast
        except (AttributeError, TypeError, ValueError):
            return None
        return fast

    def cut(self, sentence: str) -> list[tuple[str, str]]:
        """(word, tag) pairs of one block of CJK/alphanumeric characters."""
        logp, alone, missing = self.logp, self.alone, _MISSING
        n = len(sentence)
        route_p: list[float] = [0.0] * (n + 1)
        route_x: list[int] = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            best_p = None
            best_x = k
            i = k
            lp = logp.get(sentence[k], missing)
            while lp is not missing:  # the fragment is a word or a prefix of one
                if lp is not None:  # a word: calc's candidate end i; ties go to the larger i
                    p = lp + route_p[i + 1]
                    if best_p is None or p >= best_p:
                        best_p, best_x = p, i
                i += 1
                if i >= n:
                    break
                lp = logp.get(sentence[k:i + 1], missing)
            if best_p is None:  # no word starts here: the character alone
                best_p = alone + route_p[k + 1]
            route_p[k] = best_p
            route_x[k] = best_x

        tags = self.tags
        out: list[tuple[str, str]] = []
        x = 0
        buf = ""
        while x < n:
            y = route_x[x] + 1
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                word = sentence[x:y]
                out.append((word, tags.get(word, "x")))
            x = y
        if buf:
            self._flush(buf, out)
        return out

    def _flush(self, buf: str, out: list) -> None:
        tags = self.tags
        if len(buf) == 1:
            out.append((buf, tags.get(buf, "x")))
        elif not self.freq.get(buf):
            out.extend((p.word, p.flag) for p in self.detail(buf))
        else:
            out.extend((ch, tags.get(ch, "x")) for ch in buf)
