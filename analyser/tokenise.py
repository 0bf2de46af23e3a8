"""Tokenisers, built once per process and only when first needed.

European languages use spaCy's blank language classes (rule-based tokenisers,
no trained pipeline to download); Chinese uses a private ``jieba.Tokenizer``
instance (not jieba's global one, so our user dictionary cannot leak into or
out of other code), with the outage and internet-slang words of
``lang/zh/userdict.tsv``. Which tokeniser a language gets is data: the
``tokeniser`` entry of its ``config.json``.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Callable, NamedTuple

from .languages import LanguageSpec, read_rows, spec_for


class Token(NamedTuple):
    """A token at ``[start, end)`` of the text it was cut from; ``norm`` is lower-cased.

    A named tuple rather than a dataclass: statements make thousands of them.
    """

    norm: str
    start: int
    end: int


Tokeniser = Callable[[str], list[Token]]


def _spacy(spec: LanguageSpec) -> Tokeniser:
    import spacy

    nlp = spacy.blank(spec.tokeniser.get("lang", "xx"))
    tokenizer = nlp.tokenizer

    def tokenise(text: str) -> list[Token]:
        return [Token(t.lower_, t.idx, t.idx + len(t.text)) for t in tokenizer(text) if not t.is_space]

    return tokenise


def _jieba(spec: LanguageSpec) -> Tokeniser:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" banner on stderr
    tk = jieba.Tokenizer()
    tk.initialize()
    userdict = spec.tokeniser.get("userdict")
    if userdict:
        for word, freq in read_userdict(spec, userdict):
            tk.add_word(word, freq)

    def tokenise(text: str) -> list[Token]:
        return [Token(w.lower(), s, e) for w, s, e in tk.tokenize(text) if not w.isspace()]

    return tokenise


def read_userdict(spec: LanguageSpec, name: str) -> list[tuple[str, int]]:
    """Rows ``word<TAB>freq<TAB>note`` of a language's user dictionary."""
    return [(r[0], int(r[1])) for r in read_rows(spec.file(name))]


_KINDS: dict[str, Callable[[LanguageSpec], Tokeniser]] = {"spacy": _spacy, "jieba": _jieba}


@lru_cache(maxsize=None)
def _for_folder(folder: str) -> Tokeniser:
    spec = spec_for(folder)
    return _KINDS[spec.tokeniser.get("kind", "spacy")](spec)


def tokeniser_for(code: str) -> Tokeniser:
    """The tokeniser of a language code (one instance per language folder)."""
    return _for_folder(spec_for(code).folder)
