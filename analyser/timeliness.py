"""Timeliness: how long after an incident began a statement was published.

Timeliness is not read from the text (see the rubric, "Not labelled but
measured"): it is the delay between the incident's start, ``started_at`` (or the
first public complaints), and the statement's publication, ``published_at``.

Levels
------
The reference points are the critique of WeChat's outage responses
(``shared/seeds/001_aaa4d1242fc62068.txt``, quoted in ``RUBRIC.md``):

* 15 minutes -- the 19 August response, "delayed by only 15 minutes", the best
  of the three and still "not good enough for a platform with 438 million
  users";
* 1.5 hours -- the outage of the critique's title: "this reaction was 1.5 hours
  after the public's reaction", a failure;
* 3 hours -- the 22 July response, a failure.

So the levels are (``delay`` in minutes, boundaries inclusive as shown):

===== ========== ===================================================
level label      delay
===== ========== ===================================================
0     prompt     ``delay <= 15`` (:data:`PROMPT_MINUTES`): as fast as the best
                 response the critique cites
1     slow       ``15 < delay < 90``: slower than that, not yet the critique's
                 failure point
2     late       ``delay >= 90`` (:data:`LATE_MINUTES`): 1.5 hours or more,
                 which the critique calls a failure (3 hours is only worse)
===== ========== ===================================================

A negative delay (published before the recorded start: usually a start time
taken from later reports, or a pre-announcement) gets level 0 and a warning. A
missing timestamp gives no delay and no level; an unparsable one also gives a
warning naming the value.

Timestamps are ISO 8601 strings (``2024-02-13T19:05:00+01:00``,
``2023-01-10T17:04:42.456Z``, ``2024-02-13 19:05``) or datetime values; other
common forms are tried one by one, after rewriting what pandas cannot read
(:func:`_other_forms`): zone abbreviations (``CET``, ``EST``, ``PT``, ``北京时间``;
``lang/common/time_zones.tsv``; an ambiguous one such as ``CST`` is not guessed) and
each language's timestamp words (``12 janv. 2024``, ``12. Januar 2024, 10:00 Uhr``,
``2024年1月12日 下午3点20分``; ``lang/*/timestamp_words.tsv``). A Unix time is read by its digits (10: seconds, 13:
milliseconds; other numbers are not timestamps). A timestamp without a
time zone is taken as UTC (the shared corpus is UTC); when only one of the pair has a
zone, the row gets a warning, and an incident whose rows mix both, a summary warning. A
value written without a year or without a date ("14:20") takes the one that puts it
nearest the row's other time (:func:`parse_pairs`), with a warning; alone, it is
unreadable (pandas would give a bare time today's date).

Numeric dates (``01/02/2024 10:00``, ``13.01.2024``, ``1-2-24``) follow the
``date_order`` given (:data:`DATE_ORDERS`; ``batch --date-order``); a value that
cannot be in that order is unreadable. Without one, dates with dots are read day
first (the German, Swiss and Nordic convention; no one writes the month first
with dots), others month first (pandas' default), except those that can only be
day first (``13/01/2024``); an ambiguous one (both numbers 12 or less) is read in
the order the row's other timestamp can only be in (``12/01`` beside ``13/01``),
else as the row's language writes dates (``date_order`` in its ``config.json``:
French, German and Spanish day first), else month first, with a warning that says
how it was read. Reading a European
export month first would silently turn 12/01 23:50 and 13/01 00:20 into a delay
of minus 324 days.

Per incident (:class:`IncidentSummary`), statements are ordered by publication
time (rows without one come after the timed rows, in input order). The
incident's start is the earliest ``started_at`` of its rows; the minutes to the
first cause and to the apology are counted from it, like the first-response
delay.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Delay (minutes) up to which a response counts as prompt (critique: 15 minutes, the best case).
PROMPT_MINUTES = 15.0
#: Delay (minutes) from which a response counts as late (critique: 1.5 hours is a failure).
LATE_MINUTES = 90.0
#: The critique's worst case (3 hours); beyond LATE_MINUTES, so also level 2. Kept for reference.
WORST_CITED_MINUTES = 180.0
TIMELINESS_LABELS = ("prompt", "slow", "late")
#: The summary columns of :class:`IncidentSummary`, in order.
SUMMARY_COLUMNS = (
    "incident", "statements", "first_published", "first_response_delay_minutes", "first_response_timeliness",
    "minutes_to_first_cause", "cause_max", "apology", "minutes_to_apology",
    "vagueness_first", "vagueness_last", "vagueness_trend", "warnings",
)
#: The summary's warning for an incident whose rows mix times with and without a time zone.
MIXED_ZONES = ("its times mix values with and without a time zone (those without were taken as UTC), "
               "so the delays across its rows can be off by the zone's offset")
#: The summary's warning for an incident whose first statement came before its recorded start.
EARLY_FIRST = ("its first statement was published {minutes:g} minutes before its start (a start taken from later "
               "reports, or a pre-announcement): its minutes are counted from that start and can be negative")

# a zone at the end: Z, an offset after a clock time (not the "-12" of a date "2024-01-12"), UTC/GMT
_ZONE = re.compile(r"(?:[zZ]|\d:\d\d(?::\d\d(?:\.\d+)?)?\s*[+-]\d\d(?::?\d\d)?|\b(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d\d)?)?)\s*$")
# "UTC+01:00", "GMT+1": an offset east of UTC; dateutil reads "UTC+1" the POSIX way, as west of it
_NAMED_OFFSET = re.compile(r"\b(?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d\d))?\b")
#: The orders of numeric dates (``01/02/2024``) a user can give.
DATE_ORDERS = ("day-first", "month-first")
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])")
#: In the note of a timestamp written without a year or without a date (parse_pairs lends it the
#: one that puts it nearest the row's other time).
NO_YEAR, NO_DATE = "has no year", "has no date"
#: In the warning of a date read in one of two orders ("day first (3 Apr)"; batch counts the rows with it).
AMBIGUOUS_DATE = " first ("
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def check_date_order(date_order: str | None) -> str | None:
    if date_order is not None and date_order not in DATE_ORDERS:
        from .errors import InputError

        raise InputError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {date_order!r}")
    return date_order


@lru_cache(maxsize=1)
def _zones() -> tuple[re.Pattern | None, dict[str, tuple[str, str]]]:
    """Time zone abbreviations (``lang/common/time_zones.tsv``): a pattern finding them and
    abbreviation -> (offset, IANA zone or "?", note)."""
    from .languages import COMMON, lang_dir, read_rows

    table = {row[0]: (row[1], row[2] if len(row) > 2 else "") for row in read_rows(lang_dir() / COMMON / "time_zones.tsv")}
    return _alternation(table, case_sensitive=True), table


@lru_cache(maxsize=1)
def _timestamp_words() -> tuple[re.Pattern | None, dict[str, str]]:
    """Every language's timestamp words (``lang/*/timestamp_words.tsv``): a pattern finding them
    and lower-cased word -> replacement. A word two files rewrite differently is refused."""
    from .errors import DataError
    from .languages import lang_dir, read_rows

    words: dict[str, str] = {}
    for path in sorted(lang_dir().glob("*/timestamp_words.tsv")):
        for row in read_rows(path):
            key, value = row[0].lower(), row[1] if len(row) > 1 else ""
            if words.get(key, value) != value:
                raise DataError(f"{path}: {row[0]!r} is rewritten as {value!r} here and {words[key]!r} elsewhere")
            words[key] = value
    return _alternation(words, case_sensitive=False), words


@lru_cache(maxsize=1)
def _eras() -> tuple[re.Pattern | None, dict[str, int]]:
    """Every language's calendar eras (``lang/*/timestamp_eras.tsv``): a pattern finding an era's
    name before a year number, and name -> offset to the Gregorian year."""
    from .errors import DataError
    from .languages import lang_dir, read_rows

    offsets = {}
    for path in sorted(lang_dir().glob("*/timestamp_eras.tsv")):
        for row in read_rows(path):
            if len(row) < 2 or not row[1].strip().isdigit():
                raise DataError(f"{path}: era {row[0]!r} needs a whole-number year offset")
            offsets[row[0]] = int(row[1])
    if not offsets:
        return None, {}
    names = "|".join(re.escape(k) for k in sorted(offsets, key=len, reverse=True))
    return re.compile(rf"({names})\s*(\d{{1,3}})(?=\s*(?:年|[/.-]))"), offsets


def _alternation(keys, case_sensitive: bool) -> re.Pattern | None:
    """One pattern for ``keys``, longest first; a key with Latin letters only as a whole word."""
    if not keys:
        return None
    latin = sorted((k for k in keys if not _HAN.search(k)), key=len, reverse=True)
    han = sorted((k for k in keys if _HAN.search(k)), key=len, reverse=True)
    parts = []
    if latin:
        parts.append(r"(?<![^\W\d_])(?:" + "|".join(map(re.escape, latin)) + r")(?![^\W\d_])")
    if han:
        parts.append("|".join(map(re.escape, han)))
    return re.compile("|".join(parts), 0 if case_sensitive else re.IGNORECASE)


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_MERIDIEM_FIRST = re.compile(r"\b(AM|PM)\s*(\d{1,2}(?::\d\d){0,2})(?!\d)")
_BARE_HOUR = re.compile(r"(?<![\d:])(\d{1,2})\s*:(?!\s*\d)")
_OFFSET = re.compile(r"[+-]\d\d:\d\d(?!\d)")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】\d]*[)）\]】]")  # an aside without digits: "(Central European Time)"
_NO_BRACKETS = str.maketrans({c: " " for c in "()（）[]【】"})
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d\d)\s*(?=:(?!\d))")  # a time with a dot before an hour marker
_SPACED_COLON = re.compile(r"(\d)\s*:\s*(\d)")
_STRAY_COLON = re.compile(r"(?<!\d):|:(?!\d)")


def _other_forms(text: str, date_order: str | None, lang: str | None = None) -> tuple[str | None, str, str | None, bool]:
    """A timestamp ISO parsing could not read, rewritten for pandas' ``mixed`` parser:
    ``(text or None, note, IANA zone or None, has a zone)``.

    "UTC+01:00" and "GMT+1" become offsets east of UTC (dateutil reads "UTC+1" the POSIX way, as
    west of it); a zone abbreviation becomes its offset, put at the end ("CET" -> "+01:00",
    "北京时间2024年…" -> "… +08:00"), or is taken out and returned when its offset follows the date
    ("PT"); every language's timestamp words are rewritten ("12 janv. 2024" -> "12 Jan 2024",
    "2024年1月12日 下午3点20分" -> "2024-1-12 3:20 PM", "10 h 00" and "8 Uhr" -> "10:00" and "8:00");
    a bracketed aside goes ("GMT+0100 (Central European Standard Time)"); numeric dates follow
    ``date_order``, else as the row's language ``lang`` writes them (:func:`_numeric_date`). An
    ambiguous zone ("CST") is read as the row's language uses it when its ``config.json`` says
    (``time_zones``: Chinese CST is China Standard Time), with a note; else ``None`` with a note,
    as for a date that cannot be in the order given.
    """
    usual = _usual_order(lang)
    original, zoned = text, bool(_ZONE.search(text))
    text = _NAMED_OFFSET.sub(lambda z: f"{z[1]}{int(z[2]):02d}:{z[3] or '00'}", text)
    zone, offset, zone_note = None, "", ""
    pattern, zones = _zones()
    found = pattern.search(text) if pattern is not None else None
    if found is not None:  # before the words: "时" is a word, and part of "北京时间"
        offset, note = zones[found[0]]
        if offset == "?" and (meant := _zone_in(lang, found[0])):
            offset, zone_note = meant  # "CST" in a Chinese row
        if offset == "?":
            return None, f"names the time zone {found[0]!r}, which is ambiguous: {note}", None, True
        if "/" in offset:
            zone, offset = offset, ""
        text = f"{text[:found.start()]} {text[found.end():]}"
        zoned = True
    pattern, offsets = _eras()  # "民國113年" -> "2024年", before 年 is rewritten
    if pattern is not None:
        text = pattern.sub(lambda e: str(int(e[2]) + offsets[e[1]]), text)
    pattern, words = _timestamp_words()
    if pattern is not None:
        text = pattern.sub(lambda w: _rewritten(words[w[0].lower()]), text)
    text = _BRACKETED.sub(" ", text).translate(_NO_BRACKETS)  # "(UTC+08:00)" keeps its offset
    text = _DOTTED_TIME.sub(r"\1:\2", text)  # "14.30 Uhr" -> "14.30 :" -> "14:30"
    text = _SPACED_COLON.sub(r"\1:\2", text)  # "10 h 00" -> "10 : 00" -> "10:00"
    text = _BARE_HOUR.sub(r"\1:00", text)  # "8 Uhr" -> "8 :" -> "8:00"
    text = _STRAY_COLON.sub(" ", text)  # "10:00 h" -> "10:00 :"
    text = _MERIDIEM_FIRST.sub(r"\2 \1", text)
    text = " ".join(f"{text} {offset}".split()).strip(" ,;.-")
    zoned = zoned or bool(_OFFSET.search(text))
    text, note = _numeric_date(text, date_order, original, usual)
    return text, "; ".join(filter(None, (zone_note, note))), zone, zoned


def _rewritten(value: str) -> str:
    """A timestamp word's replacement: a word ("Jan", "PM") set apart by spaces, a mark ("-", ":",
    "30") as it is, in place ("2024年1月" -> "2024-1-")."""
    return f" {value} " if value[:1].isalpha() else value


def _numeric_date(text: str, date_order: str | None, original: str | None = None,
                  usual: tuple[str, str] | None = None) -> tuple[str | None, str]:
    """``text`` with its numeric date rewritten as ISO (``None``, and a note, when the date cannot be
    one in the order given), and a note (naming ``original``, the value as written) when the order
    was a guess between two readings. ``usual`` is ``(order, language name)``: how the row's
    language writes dates (its ``config.json``), the guess when no order is given."""
    original = text if original is None else original
    m = _NUMERIC_DATE.search(text)  # anywhere: "Fri 12/01/2024 00:20", "00:20 12/01/2024"
    if m is None:
        return text, ""
    a, sep, b, year = int(m[1]), m[2], int(m[3]), int(m[4])
    order = date_order or ("day-first" if sep == "." else usual[0] if usual else "month-first")
    day, month = (a, b) if order == "day-first" else (b, a)
    note = ""
    if month > 12 and date_order is None and day <= 12:
        day, month = month, day  # only the other order can be meant (13/01/2024)
    elif date_order is None and sep != "." and a != b and a <= 12 and b <= 12:
        other = "month-first" if order == "day-first" else "day-first"
        because = f", as {usual[1]} writes dates" if usual else ""
        note = (f"read {original!r} {order.split('-')[0]}{AMBIGUOUS_DATE}{day} {_MONTHS[month - 1]}){because}; if "
                f"{'months' if other == 'month-first' else 'days'} come first, give --date-order {other} "
                f"(in Python, date_order=\"{other}\")")
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None, (f"{original!r} is not a {date_order} date" if date_order else "")
    if len(m[4]) == 2:
        year += 2000 if year < 70 else 1900  # as strptime's %y
    return f"{text[:m.start()]}{year:04d}-{month:02d}-{day:02d}{text[m.end():]}", note


def _date_order_of(value) -> str | None:
    """The only order a value's numeric date can be read in ("day-first" for 31/01/2024,
    "month-first" for 01/31/2024), or ``None`` (no numeric date, or either order fits)."""
    if not isinstance(value, str) or (m := _NUMERIC_DATE.search(value)) is None:
        return None
    a, b = int(m[1]), int(m[3])
    if a > 12 >= b:
        return "day-first"
    if b > 12 >= a:
        return "month-first"
    return None


def _date_part(value) -> str | None:
    """The numeric date of a value as written ("03/04/2024"), or ``None``."""
    m = _NUMERIC_DATE.search(value) if isinstance(value, str) else None
    return m.group(0) if m else None


_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_EPOCH = re.compile(r"\d{10}(?:\d{3})?(?:\.\d+)?")


def _epoch_ns(value) -> float | None:
    """Nanoseconds of a Unix time: 10 digits are seconds (2001-2286), 13 are milliseconds; other
    numbers are not read (a count of days or an id would be taken for a date)."""
    text = value if isinstance(value, str) else repr(value) if isinstance(value, (int, np.integer)) else ""
    text = text.strip()
    if not _EPOCH.fullmatch(text):
        return None
    seconds = float(text) if len(text.split(".")[0]) == 10 else float(text) / 1000
    return seconds * 1e9


def timeliness_level(delay_minutes: float | None) -> int | None:
    """The level (0 prompt, 1 slow, 2 late) of a delay in minutes; ``None`` when unknown.

    >>> [timeliness_level(m) for m in (-5, 0, 15, 15.5, 89.9, 90, 180, None)]
    [0, 0, 0, 1, 1, 2, 2, None]
    """
    if delay_minutes is None or (isinstance(delay_minutes, float) and math.isnan(delay_minutes)):
        return None
    if delay_minutes <= PROMPT_MINUTES:
        return 0
    if delay_minutes < LATE_MINUTES:
        return 1
    return 2


def _blank(value) -> bool:
    from .tables import is_missing

    return is_missing(value) or (isinstance(value, str) and not value.strip())


def _spec_of(lang):
    """The language spec of a row's language code, or ``None`` for a blank or missing one."""
    if not isinstance(lang, str) or not lang:
        return None
    from .languages import spec_for

    return spec_for(lang)


def _usual_order(lang) -> tuple[str, str] | None:
    """``(date order, language name)`` of a language code whose ``config.json`` names how it writes
    numeric dates (French: day first), else ``None``."""
    spec = _spec_of(lang)
    return (spec.date_order, spec.name) if spec and spec.date_order else None


def _zone_in(lang, abbreviation: str) -> tuple[str, str] | None:
    """``(offset, note)`` of an ambiguous zone abbreviation as a language uses it (``time_zones`` in
    its ``config.json``: "CST" in Chinese is China Standard Time), else ``None``."""
    spec = _spec_of(lang)
    offset = spec.time_zones.get(abbreviation) if spec else None
    return (offset, f"read the time zone {abbreviation!r} as UTC{offset}, as {spec.name} uses it") if offset else None


def parse_times(values, date_order: str | None = None, langs=None, defaults=None) -> tuple[np.ndarray, list[bool], list[bool], list[str]]:
    """Parse timestamps.

    Returns ``(ns, naive, bad, notes)``: nanoseconds since the epoch in UTC as
    float (NaN when missing or unparsable), whether each value had no time zone,
    whether a non-blank value could not be parsed, and how an ambiguous numeric
    date was read ("" for the others; see the module docstring on ``date_order``).
    ``langs`` (one language code per value, or ``None``) sets how an ambiguous
    date is read when ``date_order`` is not given (as the language writes dates)
    and what an ambiguous zone means ("CST" in Chinese). A value written without a
    year or a date is completed from ``defaults[i]`` (a ``datetime``) when given,
    else is unreadable with a note (:func:`parse_pairs` lends it the year or day
    nearest the row's other time). A value unreadable for another reason has no
    note, so the caller's "cannot read" is its one message.
    """
    import pandas as pd

    check_date_order(date_order)
    values = list(values)
    langs = list(langs) if langs is not None else None  # a date order given wins over theirs; zones still use them
    n = len(values)
    ns = np.full(n, np.nan)
    naive = [False] * n
    bad = [False] * n
    notes = [""] * n
    strings: dict[int, str] = {}
    for i, v in enumerate(values):
        if _blank(v):
            continue
        if isinstance(v, str):
            strings[i] = v.strip()
            naive[i] = not _ZONE.search(v.strip())
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):  # Unix times by their digits (:func:`_epoch_ns`)
            epoch = _epoch_ns(v)
            if epoch is None:
                bad[i] = True
            else:
                ns[i] = epoch
            continue
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError):
            bad[i] = True
            continue
        if ts is pd.NaT:
            continue
        naive[i] = ts.tzinfo is None
        try:
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
            ns[i] = float(ts.value)
        except (OverflowError, ValueError):  # outside what nanoseconds hold (years 1677-2262)
            bad[i] = True
    if strings:
        idx = list(strings)
        parsed = pd.to_datetime(pd.Series([strings[i] for i in idx], dtype=object), utc=True, errors="coerce",
                                format="ISO8601")
        for i, ts in zip(idx, parsed):
            if ts is pd.NaT and (epoch := _epoch_ns(strings[i])) is not None:
                ns[i], naive[i] = epoch, False  # a Unix time is UTC
                continue
            if ts is pd.NaT:
                text, notes[i], zone, zoned = _other_forms(strings[i], date_order, langs[i] if langs else None)
                if text is None:
                    bad[i] = True
                    continue
                naive[i] = not zoned
                try:  # other common forms, one by one (slow, but only for the odd ones)
                    # "1月12日 10:30" has no year, "14:20 Uhr" no date (a four-digit year rules both out)
                    missing = "" if _YEAR.search(text) else _missing_part(text)
                    if missing and not (defaults and defaults[i]):
                        bad[i], notes[i] = True, f"{strings[i]!r} {missing}"
                        continue
                    if missing:
                        from dateutil import parser

                        ts = pd.Timestamp(parser.parse(text, default=defaults[i]))
                    else:
                        ts = pd.to_datetime(text, format="mixed")
                    # a zone whose offset depends on the date: its daylight-saving rule applies
                    ts = ts if ts is pd.NaT or ts.tzinfo else ts.tz_localize(zone or "UTC", ambiguous="NaT", nonexistent="NaT")
                    ts = ts if ts is pd.NaT else ts.tz_convert("UTC")
                except (ValueError, TypeError, OverflowError):
                    ts = pd.NaT
                if ts is pd.NaT:  # a note on how the date was read says nothing of why it failed
                    bad[i], notes[i] = True, ""
                    continue
            try:
                ns[i] = float(ts.value)
            except OverflowError:  # a year outside 1677-2262, read at a coarser unit
                bad[i] = True
    return ns, naive, bad, notes


def _missing_part(text: str) -> str:
    """:data:`NO_DATE` for a time without a date ("14:20"; pandas would give it today's date, so a
    delay would change with the day it is computed), :data:`NO_YEAR` for a date without a year
    ("Jan 12 10:30"), else "": what two parses with different defaults disagree on."""
    from datetime import datetime

    from dateutil import parser

    try:
        a, b = parser.parse(text, default=datetime(1, 1, 1)), parser.parse(text, default=datetime(2, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return ""
    return NO_DATE if (a.month, a.day) != (b.month, b.day) else NO_YEAR if a.year != b.year else ""


def _lent(ns: float, missing: str) -> list:
    """The defaults to try for a value written without a year or a date, near the time ``ns``:
    its year and the years either side, or its day and the days either side (a time zone can
    put the value on another day)."""
    from datetime import datetime, timedelta

    import pandas as pd

    t = pd.Timestamp(int(ns), tz="UTC")
    if missing == NO_YEAR:
        return [datetime(t.year + k, 1, 1) for k in (-1, 0, 1)]
    day = datetime(t.year, t.month, t.day)
    return [day + timedelta(days=k) for k in (-1, 0, 1)]


def parse_pairs(published, started, date_order: str | None = None, langs=None) -> tuple[tuple, tuple]:
    """:func:`parse_times` of both columns of each row, a row's ambiguous date read in the only order
    its other cell can be in (``12/01`` beside ``31/01`` is day first), else as the row's language
    (``langs``) writes dates: ``(published, started)``. The delays and the per-incident summary
    both read times through it, so they cannot disagree."""
    published, started = list(published), list(started)
    pub, pub_naive, pub_bad, pub_notes = parse_times(published, date_order, langs)
    sta, sta_naive, sta_bad, sta_notes = parse_times(started, date_order, langs)
    if date_order is None:  # a row's other cell can settle an ambiguous date: 12/01 beside 31/01 is day first
        for i in range(len(published)):
            for values, parsed, order_from in ((published, (pub, pub_naive, pub_bad, pub_notes), started[i]),
                                               (started, (sta, sta_naive, sta_bad, sta_notes), published[i])):
                if AMBIGUOUS_DATE in parsed[3][i] and (order := _date_order_of(order_from)):
                    again = parse_times([values[i]], order, [langs[i]] if langs is not None else None)
                    for column, value in zip(parsed, again):
                        column[i] = value[0]
            if AMBIGUOUS_DATE in pub_notes[i] and AMBIGUOUS_DATE in sta_notes[i] and \
                    _date_part(published[i]) == _date_part(started[i]):
                pub_notes[i] = sta_notes[i] = ""  # the same date twice: the delay is the same either way
    for i in range(len(published)):  # a time without a year or a date takes the one nearest the row's other time
        for values, parsed, other in ((published, (pub, pub_naive, pub_bad, pub_notes), sta[i]),
                                      (started, (sta, sta_naive, sta_bad, sta_notes), pub[i])):
            missing = next((m for m in (NO_YEAR, NO_DATE) if m in parsed[3][i]), None) if parsed[2][i] else None
            if missing and not math.isnan(other):
                lang = [langs[i]] if langs is not None else None
                tries = [(d, parse_times([values[i]], date_order, lang, [d])) for d in _lent(other, missing)]
                tries = [(d, t) for d, t in tries if not math.isnan(t[0][0])]
                if tries:
                    lent, best = min(tries, key=lambda dt: abs(dt[1][0][0] - other))
                    for column, value in zip(parsed, best):
                        column[i] = value[0]
                    what = f"in {lent.year}, the year" if missing == NO_YEAR else f"on {lent:%Y-%m-%d}, the day"
                    parsed[3][i] = "; ".join(filter(None, (
                        parsed[3][i], f"{values[i]!r} {missing}: read {what} that puts it nearest the row's other time")))
    return (pub, pub_naive, pub_bad, pub_notes), (sta, sta_naive, sta_bad, sta_notes)


def delays(published, started, published_name: str = "published_at", started_name: str = "started_at",
           date_order: str | None = None, langs=None):
    """Per row: ``(delay_minutes, timeliness_level, warnings)``.

    ``delay_minutes`` is a float array (NaN when unknown), ``timeliness_level``
    a list of int or ``None``, ``warnings`` a list of lists of strings. ``langs``:
    each row's language code (how an ambiguous date is read, see :func:`parse_pairs`).
    """
    published, started = list(published), list(started)
    (pub, pub_naive, pub_bad, pub_notes), (sta, sta_naive, sta_bad, sta_notes) = parse_pairs(
        published, started, date_order, langs)
    minutes = np.round((pub - sta) / 60e9, 2)
    levels: list[int | None] = []
    notes: list[list[str]] = []
    for i, m in enumerate(minutes):
        row: list[str] = []
        # an unreadable value gets one message: its note when it says why ("has no year"), else this
        if pub_bad[i] and not pub_notes[i]:
            row.append(f"cannot read {published_name} {_show(published, i)} as a timestamp")
        if sta_bad[i] and not sta_notes[i]:
            row.append(f"cannot read {started_name} {_show(started, i)} as a timestamp")
        row += [f"{name} {note}" for name, note in ((published_name, pub_notes[i]), (started_name, sta_notes[i])) if note]
        if math.isnan(m):
            levels.append(None)
        else:
            if pub_naive[i] != sta_naive[i]:
                row.append(f"only one of {published_name} and {started_name} has a time zone; the other was taken as UTC")
            if m < 0:
                row.append(f"{published_name} is {-m:g} minutes before {started_name}; timeliness set to prompt")
            levels.append(timeliness_level(float(m)))
        notes.append(row)
    return minutes, levels, notes


def _show(values, i: int) -> str:
    v = values[i] if not hasattr(values, "iloc") else values.iloc[i]
    text = repr(v if isinstance(v, str) else str(v))
    return text if len(text) <= 40 else text[:37] + "...'"


# -- per-incident summary ------------------------------------------------------

def _level(value) -> int | None:
    if _blank(value):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else int(f)


@dataclass
class _Incident:
    label: object = ""  # the incident value as first seen (grouping is by its text form)
    statements: int = 0
    start: float = math.nan
    first_key: tuple | None = None
    first_pub: float = math.nan
    last_key: tuple | None = None
    vague_first_key: tuple | None = None
    vague_first: int | None = None
    vague_last_key: tuple | None = None
    vague_last: int | None = None
    cause_max: int | None = None
    cause_key: tuple | None = None
    cause_pub: float = math.nan
    apology_key: tuple | None = None
    apology_pub: float = math.nan
    zoned: bool = False  # some time of its rows has a time zone
    naive: bool = False  # and some has none (taken as UTC): delays across rows can be off


def _first(key: tuple, old: tuple | None) -> bool:
    return old is None or key < old


class IncidentSummary:
    """Reduce scored rows to one row per incident, chunk by chunk (memory ~ number of incidents).

    Feed it scored frames (the ``batch`` / :func:`analyser.score_frame` columns)
    with :meth:`update`, in input order; :meth:`frame` gives the summary.
    """

    def __init__(self, incident_col: str, published_col: str = "published_at", started_col: str = "started_at",
                 level_columns: dict | None = None, date_order: str | None = None, lang_col: str = "lang"):
        self.incident_col = incident_col
        self.lang_col = lang_col  # each row's language: how its ambiguous dates are read, as in its delay
        self.date_order = check_date_order(date_order)
        self.level_columns = {d: f"{d}_level" for d in ("cause", "apology", "vagueness")}
        self.level_columns.update(level_columns or {})
        self.published_col = published_col
        self.started_col = started_col
        self._incidents: dict = {}
        self._seq = 0

    def update(self, frame) -> None:
        n = len(frame)
        if n == 0:
            return
        incidents = frame[self.incident_col].tolist()
        has_pub, has_sta = self.published_col in frame.columns, self.started_col in frame.columns
        no_times = (np.full(n, np.nan), [False] * n)
        langs = frame[self.lang_col].tolist() if self.lang_col in frame.columns else None
        if has_pub and has_sta:  # as the rows' delays read them
            (pub, pub_naive, *_), (sta, sta_naive, *_) = parse_pairs(frame[self.published_col], frame[self.started_col],
                                                                    self.date_order, langs)
        else:  # one column: each row's language still says how its dates and zones are written
            pub, pub_naive = parse_times(frame[self.published_col], self.date_order, langs)[:2] if has_pub else no_times
            sta, sta_naive = parse_times(frame[self.started_col], self.date_order, langs)[:2] if has_sta else no_times
        cause = frame[self.level_columns["cause"]].tolist()
        apology = frame[self.level_columns["apology"]].tolist()
        vague = frame[self.level_columns["vagueness"]].tolist()
        for i in range(n):
            inc = incidents[i]
            if _blank(inc):
                inc = ""
            # by the value's text, as a CSV holds it: 1 and "1" are one incident, 3 and 3.0 or 1 and
            # true are not, whatever the output format the summary is read back from
            key_id = inc if isinstance(inc, str) else str(inc)
            st = self._incidents.get(key_id)
            if st is None:
                st = self._incidents[key_id] = _Incident(label=inc)
            seq = self._seq + i
            p = pub[i]
            timed = not math.isnan(p)
            # ordering: timed rows first, by time, then input order
            key = (0, p, seq) if timed else (1, 0.0, seq)
            st.statements += 1
            for t, is_naive in ((pub[i], pub_naive[i]), (sta[i], sta_naive[i])):
                if not math.isnan(t):
                    st.naive, st.zoned = st.naive or is_naive, st.zoned or not is_naive
            if not math.isnan(sta[i]) and (math.isnan(st.start) or sta[i] < st.start):
                st.start = sta[i]
            if _first(key, st.first_key):
                st.first_key, st.first_pub = key, p
            c, a, v = _level(cause[i]), _level(apology[i]), _level(vague[i])
            if v is not None:
                if _first(key, st.vague_first_key):
                    st.vague_first_key, st.vague_first = key, v
                if st.vague_last_key is None or key > st.vague_last_key:
                    st.vague_last_key, st.vague_last = key, v
            if c is not None:
                st.cause_max = c if st.cause_max is None else max(st.cause_max, c)
                if c >= 1 and _first(key, st.cause_key):
                    st.cause_key, st.cause_pub = key, p
            if a is not None and a >= 1 and _first(key, st.apology_key):
                st.apology_key, st.apology_pub = key, p
        self._seq += n

    def frame(self):
        import pandas as pd

        rows = []
        for st in self._incidents.values():
            inc = st.label
            def minutes(t: float) -> float:
                return round((t - st.start) / 60e9, 2) if not (math.isnan(t) or math.isnan(st.start)) else math.nan

            first_delay = minutes(st.first_pub)
            if st.vague_first is None or st.vague_last is None:
                trend = None
            else:
                trend = "improved" if st.vague_last < st.vague_first else "worse" if st.vague_last > st.vague_first else "same"
            rows.append({
                "incident": inc,
                "statements": st.statements,
                # float nanoseconds are exact to ~256 ns at today's dates: round to the microsecond
                "first_published": (pd.Timestamp(int(round(st.first_pub / 1e3)) * 1000, tz="UTC").isoformat()
                                    if not math.isnan(st.first_pub) else None),
                "first_response_delay_minutes": first_delay,
                "first_response_timeliness": timeliness_level(first_delay),
                "minutes_to_first_cause": minutes(st.cause_pub) if st.cause_key is not None else math.nan,
                "cause_max": st.cause_max,
                "apology": st.apology_key is not None,
                "minutes_to_apology": minutes(st.apology_pub) if st.apology_key is not None else math.nan,
                "vagueness_first": st.vague_first,
                "vagueness_last": st.vague_last,
                "vagueness_trend": trend,
                "warnings": "; ".join(w for w in (MIXED_ZONES if st.naive and st.zoned else "",
                                                  EARLY_FIRST.format(minutes=-first_delay) if first_delay < 0 else "") if w),
            })
        df = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
        for col in ("statements", "first_response_timeliness", "cause_max", "vagueness_first", "vagueness_last"):
            df[col] = df[col].astype("Int64")
        for col in ("first_response_delay_minutes", "minutes_to_first_cause", "minutes_to_apology"):
            df[col] = df[col].astype("float64")
        df["apology"] = df["apology"].astype(bool)
        df["incident"] = df["incident"].astype(object)
        return df


def summarise_incidents(scored, incident_col: str, published_col: str = "published_at",
                        started_col: str = "started_at", date_order: str | None = None):
    """The per-incident summary of a scored DataFrame (see :class:`IncidentSummary`)."""
    if incident_col not in scored.columns:
        from .errors import InputError

        raise InputError(f"no column {incident_col!r} to group incidents by; available: {', '.join(map(str, scored.columns))}")
    acc = IncidentSummary(incident_col, published_col, started_col, date_order=date_order)
    acc.update(scored)
    return acc.frame()
