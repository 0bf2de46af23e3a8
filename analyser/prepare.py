"""The front of the pipeline: normalise -> detect language -> tokenise -> find cues.

A :class:`Prepared` statement is what both the cue rules and the trained models
read. It is built once per statement; every span in it indexes the normalised
text, and :meth:`Prepared.evidence` maps spans back to the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import CueMatch, caps, cue_kinds, derive, matcher_for
from .detect import detect, variant
from .errors import InputError
from .languages import COMMON, canonical_code, language_codes, spec_for, supported_codes
from .parts import language_parts
from .normalise import Normalised, normalise
from .report import Evidence
from .tokenise import Token, tokeniser_for

#: Longest text scored in full. Longer statements are scored on this prefix,
#: with a warning: work per statement stays bounded and linear (issue 7).
MAX_CHARS = 100_000
#: Statements with fewer tokens get a low-confidence warning (LIWC-style tools
#: over-identify on short texts; ours are often one line, so the bar is low).
SHORT_TOKENS = 6
#: spaCy's tokeniser peels prefixes and suffixes off a space-free run one at a
#: time, rescanning the run each time: quadratic in the run's length (20,000
#: "!" took 35 s). Runs longer than this are tokenised in pieces of at most this
#: many characters, cut after punctuation where possible. No word is this long.
MAX_RUN = 100
_LONG_RUN = re.compile(r"(?<!\S)\S{%d,}" % (MAX_RUN + 1))


@dataclass(frozen=True)
class Prepared:
    norm: Normalised
    lang: str
    lang_confidence: float
    match_text: str
    tokens: tuple[Token, ...]
    cues: tuple[CueMatch, ...]
    warnings: tuple[str, ...]
    #: ``(group, level, match)``: a dimension capped at a level by ``match`` (:func:`analyser.cues.caps`)
    caps: tuple[tuple[str, int, CueMatch], ...] = ()

    @property
    def text(self) -> str:
        return self.norm.text

    def evidence(self, start: int, end: int, cue: str, weight: float, explanation: str, source: str = "") -> Evidence:
        """Evidence for a normalised-text span, at original-text offsets."""
        o_start, o_end = self.norm.span(start, end)
        return Evidence(o_start, o_end, self.norm.original[o_start:o_end], cue, weight, explanation, source)

    def cue_evidence(self, match: CueMatch) -> Evidence:
        kind = cue_kinds()[match.entry.cue]
        return self.evidence(match.start, match.end, match.entry.cue, match.entry.weight, kind["explanation"], match.entry.source)


def check_lang(lang: str) -> str:
    """Validate a ``--lang`` value: a registry code or alias in any case (``EN``, ``zh-TW``), given
    back in the registry's spelling, or another ISO 639 code (``it``, ``pt-BR``), given back as it
    is. Anything else (a typo, or a country code such as ``jp``) is refused."""
    known = canonical_code(lang)
    if known and known != COMMON:
        return known
    parts = lang.split("-")
    if len(parts) > 2 and (known := canonical_code("-".join(parts[:2]))) and known != COMMON:
        return known  # zh-Hant-TW, zh-Hans-CN: the script subtag names the variant
    base = parts[0]
    region = canonical_code(base)
    if region and region != COMMON and "-" in lang and not spec_for(region).variants:
        return region  # fr-CA, de-CH, es-MX: one lexicon per language, so one code (zh keeps its aliases)
    if not (2 <= len(base) <= 3 and base.isalpha()) or known == COMMON or base.lower() not in language_codes():
        raise InputError(f"unknown language code {lang!r}; use one of {', '.join(supported_codes())}, "
                         "or another ISO 639 code (such as 'it' or 'ja') to score with language-independent cues")
    return lang


def prepare(text: str, lang: str | None = None) -> Prepared:
    """Run the front of the pipeline on one statement."""
    if not isinstance(text, str):
        raise InputError(f"expected text, got {type(text).__name__}")
    text = str(text)  # a str subclass (numpy.str_) as a plain str: the C matchers want exactly str
    if lang is not None and not isinstance(lang, str):
        raise InputError(f"a language code is text such as 'en', not {type(lang).__name__} {lang!r}")
    warnings: list[str] = []
    original = text
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        warnings.append(f"text is {len(original):,} characters long; scored on its first {MAX_CHARS:,}")
    norm = normalise(text)
    norm = Normalised(norm.text, norm.starts, norm.ends, original)
    if not norm.text:
        raise InputError("the statement is empty (nothing but white space, markup or control characters)")
    if lang:
        code, confidence = check_lang(lang), 1.0
        spec = spec_for(code)
        if code == spec.folder and spec.variants:  # "zh": the variant the text is written in
            code = variant(spec.folder, norm.text)
        elif spec.folder == COMMON:
            warnings.append(f"language {code!r} has no lexicon; scored with language-independent cues only")
    else:
        det = detect(norm.text)
        code, confidence = det.code, det.confidence
        if det.code == "und":
            warnings.append("too few letters to detect the language; scored with language-independent cues only")
        elif not det.supported:
            warnings.append(f"language {det.code!r} has no lexicon; scored with language-independent cues only")
        elif confidence < 0.5:
            warnings.append(f"language detection is unsure ({code}, {confidence:.2f}); pass --lang to set it")
    parts = language_parts(norm.text, code)
    if parts is None:
        match_text, tokens, found = _front(code, norm.text)
    else:
        match_text, tokens, found = _front_by_part(parts, norm.text)
        share = {}
        for p in parts:
            share[p.code] = share.get(p.code, 0) + p.end - p.start
        warnings.append("written in more than one language (" + ", ".join(
            f"{c} {n / len(norm.text):.0%}" for c, n in share.items()) + "): each part is read with its own lexicon")
    if len(tokens) < SHORT_TOKENS:
        warnings.append(f"very short statement ({len(tokens)} tokens): scores are less reliable")
    cues = tuple(derive(found, norm.text))  # sentences are cut on the text as written (case tells them)
    capped = caps(cues)
    for _, level, m in capped:
        note = cue_kinds()[m.entry.cue].get("cap_note", "{span}: {group} is scored at most {level}")
        warnings.append(note.format(span=f"“{' '.join(norm.text[m.start:m.end].split())}”", level=level,
                                    group=m.entry.group))
    return Prepared(norm, code, confidence, match_text, tuple(tokens), cues, tuple(warnings),
                    tuple(capped))


def _front(code: str, text: str) -> tuple[str, list[Token], list[CueMatch]]:
    """The match form, tokens and cue matches of a text in one language."""
    matcher = matcher_for(code)
    match_text = matcher.match_form(text)
    tokens = _tokenise(code, match_text if spec_for(code).match_convert else text)
    return match_text, tokens, matcher.find(match_text, formed=True)


def _front_by_part(parts: list, text: str) -> tuple[str, list[Token], list[CueMatch]]:
    """:func:`_front` of each part (its own tokeniser and lexicon), at offsets into the whole text."""
    forms: list[str] = []
    tokens: list[Token] = []
    found: list[CueMatch] = []
    for start, end, code in parts:
        form, toks, cues = _front(code, text[start:end])
        forms.append(form)
        tokens += [Token(t.norm, t.start + start, t.end + start) for t in toks]
        found += [CueMatch(m.start + start, m.end + start, m.entry) for m in cues]
    found.sort(key=lambda m: (m.start, -m.end, m.entry.cue))
    return "".join(forms), tokens, found


def _tokenise(code: str, text: str) -> list[Token]:
    """Tokens of ``text``; space-free runs longer than `MAX_RUN` go to spaCy in pieces.

    spaCy never lets a token span white space, so cutting the text at the white
    space around a run leaves the other tokens as they were. Jieba (Chinese,
    written without spaces) is linear and always gets the whole text.
    """
    tokenise = tokeniser_for(code)
    if spec_for(code).tokeniser.get("kind", "spacy") != "spacy" or not _LONG_RUN.search(text):
        return tokenise(text)
    tokens: list[Token] = []

    def add(start: int, end: int) -> None:
        tokens.extend(Token(t.norm, t.start + start, t.end + start) for t in tokenise(text[start:end]))

    pos = 0
    for m in _LONG_RUN.finditer(text):
        if m.start() > pos:
            add(pos, m.start())
        start = m.start()
        while start < m.end():
            end = min(start + MAX_RUN, m.end())
            if end < m.end():
                # cut after the last non-alphanumeric character of the piece's second half
                for cut in range(end, start + MAX_RUN // 2, -1):
                    if not text[cut - 1].isalnum():
                        end = cut
                        break
            add(start, end)
            start = end
        pos = m.end()
    if pos < len(text):
        add(pos, len(text))
    return tokens
