"""Timeliness levels and the per-incident summary (issue 5)."""
from __future__ import annotations

import math

import numpy as np

import pandas as pd
import pytest

from analyser.timeliness import (LATE_MINUTES, PROMPT_MINUTES, SUMMARY_COLUMNS, delays, parse_times,
                                 summarise_incidents, timeliness_level)


def test_reference_points_are_the_critiques():
    assert PROMPT_MINUTES == 15 and LATE_MINUTES == 90  # 15 min; 1.5 h (3 h is also late)


@pytest.mark.parametrize("minutes,level", [
    (-30, 0), (0, 0), (14.99, 0), (15, 0), (15.01, 1), (60, 1), (89.99, 1), (90, 2), (180, 2), (10_000, 2),
    (None, None), (math.nan, None),
])
def test_levels_at_the_boundaries(minutes, level):
    assert timeliness_level(minutes) == level


def test_delays_across_time_zones_and_formats():
    published = ["2024-03-01T09:15:00+01:00", "2024-03-01T08:15:00Z", "2024-03-01 10:30", "2024-03-01T09:00:00+01:00"]
    started = ["2024-03-01T08:00:00Z", "2024-03-01T09:00:00+01:00", "2024-03-01T09:00:00", "2024-03-01T08:00:00.000Z"]
    minutes, levels, notes = delays(published, started)
    assert minutes.tolist() == [15.0, 15.0, 90.0, 0.0]
    assert levels == [0, 0, 2, 0]
    assert notes == [[], [], [], []]


def test_negative_delay_is_prompt_with_a_warning():
    minutes, levels, notes = delays(["2024-03-01T08:50:00Z"], ["2024-03-01T09:00:00Z"])
    assert minutes.tolist() == [-10.0] and levels == [0]
    assert "before started_at" in notes[0][0]


def test_unparsable_and_missing_timestamps():
    minutes, levels, notes = delays(["yesterday-ish", "", None, "2024-03-01T09:20:00Z", 20240301],
                                    ["2024-03-01T09:00:00Z"] * 4 + ["2024-03-01T09:00:00Z"],
                                    "posted", "began")
    assert math.isnan(minutes[0]) and levels[0] is None
    assert notes[0] == ["cannot read posted 'yesterday-ish' as a timestamp"]
    assert notes[1] == [] and notes[2] == [] and levels[1] is None and levels[2] is None  # missing: no note
    assert minutes[3] == 20.0 and levels[3] == 1
    assert levels[4] is None and "cannot read posted" in notes[4][0]  # a number that is no Unix time: refused


@pytest.mark.parametrize("far", ["2300-01-01T00:00:00Z", "1500-06-01", pd.Timestamp("3000-01-01").as_unit("s"),
                                 np.datetime64("3000-01-01", "s")])
def test_a_year_outside_nanosecond_range_is_one_unreadable_row_not_a_crash(far):
    minutes, levels, notes = delays([far, "2024-03-01T09:20:00Z"], ["2024-03-01T09:00:00Z"] * 2)
    assert math.isnan(minutes[0]) and levels[0] is None and "cannot read published_at" in notes[0][0]
    assert minutes[1] == 20.0


def test_one_naive_timestamp_is_taken_as_utc_with_a_warning():
    minutes, levels, notes = delays(["2024-03-01T09:20:00"], ["2024-03-01T09:00:00Z"])
    assert minutes.tolist() == [20.0]
    assert "time zone" in notes[0][0]


def test_datetime_values():
    ns, naive, bad, _ = parse_times([pd.Timestamp("2024-03-01 09:00", tz="Europe/Paris"), pd.NaT, None])
    assert ns[0] == pd.Timestamp("2024-03-01T08:00:00Z").value and math.isnan(ns[1]) and not any(bad)


# a European export: 12 January 23:50 to 13 January 00:20 is 30 minutes, read day first; read
# month first as pandas does, 12/01 is 1 December and the delay minus 324 days
EXPORT = (["13/01/2024 00:20", "01/02/2024 10:00"], ["12/01/2024 23:50", "01/02/2024 09:30"])


def test_an_ambiguous_numeric_date_is_read_month_first_with_a_warning_naming_it():
    minutes, levels, notes = delays(*EXPORT)
    assert minutes[1] == 30.0 and notes[1] == []  # the same date twice: 30 minutes either way, no warning
    # 13/01 can only be day first, and so settles its row's 12/01 (session 12): no note, 30 minutes
    assert minutes[0] == 30.0 and notes[0] == []
    minutes, _, notes = delays(["02/03/2024 10:00"], ["01/03/2024 09:30"])
    assert minutes[0] == 44670.0  # 3 Jan 09:30 to 3 Feb 10:00
    assert notes[0] == ["published_at read '02/03/2024 10:00' month first (3 Feb); if days come first, give "
                        "--date-order day-first (in Python, date_order=\"day-first\")",
                        "started_at read '01/03/2024 09:30' month first (3 Jan); if days come first, give "
                        "--date-order day-first (in Python, date_order=\"day-first\")"]


def test_the_date_order_given_reads_every_numeric_date_so_without_warnings():
    minutes, levels, notes = delays(*EXPORT, date_order="day-first")
    assert minutes.tolist() == [30.0, 30.0] and levels == [1, 1] and notes == [[], []]
    minutes, _, notes = delays(*EXPORT, date_order="month-first")  # 13/01 cannot be month first
    assert math.isnan(minutes[0]) and notes[0] == ["published_at '13/01/2024 00:20' is not a month-first date"]
    assert minutes[1] == 30.0 and notes[1] == []


def test_dotted_dates_are_day_first_and_two_digit_years_as_strptime():
    ns = parse_times(["01.02.2024 10:00", "3.4.24", "05-06-1999 08:00"], "day-first")[0]
    assert [pd.Timestamp(int(x), tz="UTC").strftime("%Y-%m-%d %H:%M") for x in ns] == \
        ["2024-02-01 10:00", "2024-04-03 00:00", "1999-06-05 08:00"]
    ns, _, bad, notes = parse_times(["01.02.2024 10:00", "31.12.2024"])  # no order given: dots are day first
    assert pd.Timestamp(int(ns[0]), tz="UTC").month == 2 and notes == ["", ""] and not any(bad)


def test_an_unknown_date_order_is_one_line_error():
    from analyser.errors import InputError

    with pytest.raises(InputError, match="day-first, month-first"):
        delays(*EXPORT, date_order="dmy")
    with pytest.raises(InputError, match="not 'DMY'"):
        summarise_incidents(pd.DataFrame({"incident": [1]}), "incident", date_order="DMY")


def scored(rows):
    return pd.DataFrame(rows, columns=["incident", "started_at", "published_at", "cause_level", "apology_level",
                                       "vagueness_level"])


def test_incident_summary():
    s = "2024-03-01T09:00:00Z"
    df = scored([
        # incident A, given out of order: the summary orders by publication time
        ("A", s, "2024-03-01T10:40:00Z", 2, 1, 0),   # 100 min: the cause and the apology come here
        ("A", s, "2024-03-01T09:20:00Z", 0, 0, 2),   # 20 min: first response, vague
        ("A", s, "2024-03-01T10:00:00Z", 1, 0, 1),   # 60 min: first cause (generic)
        # incident B: one prompt statement, no cause, no apology
        ("B", "2024-03-02T12:00:00+01:00", "2024-03-02T11:10:00Z", 0, 0, 1),
        # incident C: gets vaguer; one row could not be scored (no levels)
        ("C", s, "2024-03-01T09:05:00Z", 1, 0, 0),
        ("C", s, "2024-03-01T09:30:00Z", None, None, None),
        ("C", s, "2024-03-01T09:45:00Z", 0, 0, 2),
    ])
    out = summarise_incidents(df, "incident").set_index("incident")
    assert list(out.reset_index().columns) == list(SUMMARY_COLUMNS)
    a, b, c = out.loc["A"], out.loc["B"], out.loc["C"]
    assert a["statements"] == 3 and a["first_published"] == "2024-03-01T09:20:00+00:00"
    assert a["first_response_delay_minutes"] == 20.0 and a["first_response_timeliness"] == 1
    assert a["minutes_to_first_cause"] == 60.0 and a["cause_max"] == 2
    assert bool(a["apology"]) and a["minutes_to_apology"] == 100.0
    assert (a["vagueness_first"], a["vagueness_last"], a["vagueness_trend"]) == (2, 0, "improved")
    assert b["first_response_delay_minutes"] == 10.0 and b["first_response_timeliness"] == 0
    assert math.isnan(b["minutes_to_first_cause"]) and not b["apology"] and math.isnan(b["minutes_to_apology"])
    assert b["vagueness_trend"] == "same"
    assert c["statements"] == 3 and c["minutes_to_first_cause"] == 5.0
    assert (c["vagueness_first"], c["vagueness_last"], c["vagueness_trend"]) == (0, 2, "worse")


def test_incident_summary_reads_a_rows_dates_as_its_delay_does():
    # 02/01/2024 is ambiguous; beside 31/12/2023 it can only be day first (2 January): the row's
    # delay is 1,470 minutes, and the summary must not read it as 1 February (44,670 minutes)
    df = scored([("A", "31/12/2023 23:50", "02/01/2024 00:20", 0, 0, 2),
                 ("A", "31/12/2023 23:50", "02/01/2024 02:20", 2, 1, 1)])
    minutes = delays(df["published_at"], df["started_at"])[0]
    row = summarise_incidents(df, "incident").iloc[0]
    assert list(minutes) == [1470.0, 1590.0]
    assert row["first_published"] == "2024-01-02T00:20:00+00:00"
    assert row["first_response_delay_minutes"] == 1470.0 and row["minutes_to_first_cause"] == 1590.0


def test_an_ambiguous_date_is_read_as_the_rows_language_writes_dates():
    published, started = ["04/03/2024 00:20"] * 4, ["03/03/2024 23:50"] * 4
    minutes, _, notes = delays(published, started, langs=["fr", "de", "es", "en"])
    assert list(minutes) == [30.0, 30.0, 30.0, 43_230.0]  # en: 4/03 read month first is 3 April
    assert "published_at read '04/03/2024 00:20' day first (4 Mar), as French writes dates" in notes[0][0]
    assert "as German writes dates" in notes[1][0] and "as Spanish writes dates" in notes[2][0]
    assert "month first (3 Apr)" in notes[3][0] and "writes dates" not in notes[3][0]
    # an order given wins over the language; an unknown or missing language keeps month first
    assert list(delays(published, started, date_order="month-first", langs=["fr"] * 4)[0]) == [minutes[3]] * 4
    assert list(delays(published[:3], started[:3], langs=["it", None, ""])[0]) == [minutes[3]] * 3
    # a date only one order fits is read so in any language
    assert list(delays(["13/03/2024 00:20"], ["12/03/2024 23:50"], langs=["en"])[0]) == [30.0]


def test_the_incident_summary_reads_dates_as_each_rows_language_writes_them():
    df = scored([("A", "03/03/2024 23:50", "04/03/2024 00:20", 0, 0, 2)]).assign(lang=["fr"])
    assert summarise_incidents(df, "incident").iloc[0]["first_response_delay_minutes"] == 30.0
    assert summarise_incidents(df.assign(lang=["en"]), "incident").iloc[0]["first_response_delay_minutes"] == 43_230.0


def test_a_time_without_a_year_takes_the_year_nearest_the_rows_other_time():
    minutes, _, notes = delays(["1月12日 10:30", "Jan 1 00:10", "01-12 10:30", "Jan 12 10:30"],
                               ["2024-01-12 10:00", "2023-12-31 23:50", "2024-01-12 10:00", ""])
    assert list(minutes[:3]) == [30.0, 20.0, 30.0] and math.isnan(minutes[3])  # 1 Jan: the next year
    assert "'Jan 1 00:10' has no year: read in 2024" in notes[1][0]
    assert notes[3] == ["published_at 'Jan 12 10:30' has no year"]  # nothing to lend one; one message, not two


def test_a_time_without_a_date_takes_the_day_nearest_the_rows_other_time():
    # pandas reads "14:20" as today: a delay of years that changed with the day it was computed
    minutes, _, notes = delays(["14:20 Uhr", "00:10", "14:20"], ["03.04.2024 14:05 Uhr", "2024-04-03T23:50:00Z", "14:05"],
                               langs=["de", "en", "de"])
    assert list(minutes[:2]) == [15.0, 20.0] and math.isnan(minutes[2])  # 00:10 is the next day
    assert "'14:20 Uhr' has no date: read on 2024-04-03" in notes[0][0]
    assert "'00:10' has no date: read on 2024-04-04" in notes[1][0]
    assert notes[2] == ["published_at '14:20' has no date", "started_at '14:05' has no date"]


def test_the_summary_warns_when_an_incidents_times_mix_zones():
    # 23:50 -> 00:10 without a zone (taken as UTC) beside Beijing times: the first response looked 85 minutes late
    df = scored([("K", "2024-04-03 23:50", "2024-04-04 00:10", 0, 0, 1),
                 ("K", "2024-04-03 23:50 北京时间", "2024-04-04 01:15 北京时间", 1, 1, 2),
                 ("L", "2024-04-03T23:50Z", "2024-04-04T00:10Z", 0, 0, 1)])
    out = summarise_incidents(df, "incident").set_index("incident")
    assert "mix values with and without a time zone" in out.loc["K", "warnings"] and out.loc["L", "warnings"] == ""


def test_incident_summary_without_times_uses_input_order():
    df = scored([("X", "", "", 0, 0, 2), ("X", "", "", 1, 1, 1)])
    row = summarise_incidents(df, "incident").iloc[0]
    assert row["vagueness_trend"] == "improved" and row["cause_max"] == 1 and bool(row["apology"])
    assert pd.isna(row["first_published"]) and math.isnan(row["first_response_delay_minutes"])
    assert pd.isna(row["first_response_timeliness"])


def test_incident_summary_unknown_column():
    with pytest.raises(Exception, match="no column 'case'"):
        summarise_incidents(scored([]), "case")


def test_a_numeric_date_anywhere_in_the_value_follows_the_date_order():
    """Session-11 user test: a weekday before the date, or the time first, left it month first."""
    minutes = delays(["Fri 12/01/2024 00:20", "00:20 12/01/2024"], ["Thu 11/01/2024 23:50", "23:50 11/01/2024"],
                     date_order="day-first")[0]
    assert minutes.tolist() == [30.0, 30.0]


def test_utc_and_gmt_offsets_are_east_of_utc_and_a_date_alone_has_no_zone():
    """dateutil reads "UTC+01:00" the POSIX way (west of UTC); status pages mean east. The "-12" of
    "2024-01-12" is not an offset."""
    minutes, _, notes = delays(["12/01/2024 01:20 UTC+01:00", "2024-03-01 10:00 GMT+1", "2024-01-12"],
                               ["11/01/2024 23:50 UTC+00:00", "2024-03-01 08:30 UTC", "2024-01-11 23:00"],
                               date_order="day-first")
    assert minutes.tolist() == [30.0, 30.0, 60.0] and notes == [[], [], []]


@pytest.mark.parametrize("value,utc", [
    ("2024-01-12 10:00 CET", "2024-01-12 09:00"),
    ("2024-07-12 10:00 CEST", "2024-07-12 08:00"),
    ("Jan 12, 2024 10:00 AM EST", "2024-01-12 15:00"),
    ("12 Jul 2024 10:00 PT", "2024-07-12 17:00"),  # daylight time on that date
    ("12 Jan 2024 10:00 PT", "2024-01-12 18:00"),  # standard time on that one
    ("2024年1月12日 10:00 北京时间", "2024-01-12 02:00"),
    ("2024年1月12日 10:00（北京時間）", "2024-01-12 02:00"),
    ("12.01.2024 00:20 Uhr MEZ", "2024-01-11 23:20"),
])
def test_time_zone_abbreviations_are_read(value, utc):
    """A session-11 user test found "CET" and "EST" unreadable (lang/common/time_zones.tsv)."""
    ns, naive, bad, notes = parse_times([value])
    assert not bad[0] and not naive[0] and notes == [""]
    assert pd.Timestamp(ns[0]) == pd.Timestamp(utc)


@pytest.mark.parametrize("value,local", [
    ("12.01.2024 00:20 Uhr", "2024-01-12 00:20"),
    ("12. Januar 2024, 10:00 Uhr", "2024-01-12 10:00"),
    ("le 12 janvier 2024 à 10h00", "2024-01-12 10:00"),
    ("12 janv. 2024 10:00", "2024-01-12 10:00"),
    ("lunes 12 de febrero de 2024, 10:00 hrs", "2024-02-12 10:00"),
    ("2024年1月12日 00:20", "2024-01-12 00:20"),
    ("2024年1月12日 下午3点20分", "2024-01-12 15:20"),
    ("2024年1月12號 下午3點", "2024-01-12 15:00"),
    ("2024年1月12日 上午10:20", "2024-01-12 10:20"),
    ("10:00 p.m. Jan 12, 2024", "2024-01-12 22:00"),
])
def test_timestamps_written_in_each_language_are_read(value, local):
    """Month names, joining words and meridiems of lang/*/timestamp_words.tsv; no zone: taken as UTC."""
    ns, naive, bad, _ = parse_times([value])
    assert not bad[0] and naive[0]
    assert pd.Timestamp(ns[0]) == pd.Timestamp(local)


def test_an_ambiguous_zone_abbreviation_is_not_guessed():
    """CST is US Central (-06:00) or China Standard Time (+08:00): 14 hours apart."""
    minutes, levels, notes = delays(["2024-01-12 10:00 CST"], ["2024-01-12 09:00 CST"])
    assert math.isnan(minutes[0]) and levels == [None]
    assert any("ambiguous" in n and "CST" in n and "+08:00" in n for n in notes[0])


def test_timestamp_words_of_two_languages_must_agree(tmp_path, monkeypatch):
    """A word two languages' files rewrite differently (a month name meaning two months) is refused."""
    from analyser import timeliness
    from analyser.errors import DataError

    for lang, month in (("aa", "Jan"), ("bb", "Feb")):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "timestamp_words.tsv").write_text(f"word\treplacement\tnote\nxan\t{month}\tx\n", encoding="utf-8")
    monkeypatch.setattr("analyser.languages.lang_dir", lambda: tmp_path)
    timeliness._timestamp_words.cache_clear()
    try:
        with pytest.raises(DataError, match="xan"):
            timeliness._timestamp_words()
    finally:
        timeliness._timestamp_words.cache_clear()


@pytest.mark.parametrize("started,published,minutes", [
    ("北京时间2024年1月12日18时", "北京时间2024年1月12日18时25分", 25),  # the zone before the date
    ("le 12 janv. 2024, 10 h 00", "le 12 janv. 2024, 12 h 30", 150),
    ("1er février 2024 à 9h", "1er février 2024 à 9h45", 45),
    ("Fr., 12.01.2024 um 10:00 Uhr", "Fr., 12.01.2024 um 13:00 Uhr", 180),
    ("3. Okt. 2024, 8 Uhr", "3. Okt. 2024, 8:50 Uhr", 50),
    ("12 de enero de 2024, 10:00 h", "12 de enero de 2024, 10:55 h", 55),
    ("2024年1月12日下午3点", "2024年1月12日下午4点半", 90),
    ("Fri Jan 12 2024 10:00:00 GMT+0100 (Central European Standard Time)",
     "Fri Jan 12 2024 09:40:00 GMT+0000 (Coordinated Universal Time)", 40),  # JavaScript's Date.toString()
    ("1705053600", "1705055400", 30), ("1705053600000", "1705055400000", 30),  # Unix seconds, milliseconds
])
def test_forms_a_session_12_user_test_found_unreadable(started, published, minutes):
    got, _, notes = delays([published], [started])
    assert got.tolist() == [minutes] and notes == [[]]


def test_unix_time_numbers_are_read_by_their_digits_and_other_numbers_are_not():
    ns, naive, bad, _ = parse_times([1705053600, 1705053600000, 20240112, 45302.5])
    assert pd.Timestamp(ns[0]) == pd.Timestamp(ns[1]) == pd.Timestamp("2024-01-12 10:00")
    assert bad == [False, False, True, True] and naive[:2] == [False, False]


@pytest.mark.parametrize("started,published", [
    ("31/01/2024 23:00", "01/02/2024 01:00"),   # the start can only be day first: so is the publication
    ("12/01/2024 23:50", "13/01/2024 00:20"),   # the module docstring's example
    ("1/31/2024 11:00 PM", "2/1/2024 1:00 AM"),  # month first, settled by the start
])
def test_a_rows_other_date_settles_an_ambiguous_one(started, published):
    """A session-12 user test: 31/01 23:00 -> 01/02 01:00 gave minus 43,080 minutes, "prompt"."""
    minutes, _, notes = delays([published], [started])
    assert minutes.tolist() == [120.0 if "31" in started else 30.0] and notes == [[]]


def test_a_date_that_cannot_be_in_the_order_given_says_so():
    _, _, notes = delays(["1/13/2024 00:20"], ["1/12/2024 23:50"], date_order="day-first")
    assert any("is not a day-first date" in n for n in notes[0])


@pytest.mark.parametrize("started,published,minutes", [
    ("3. März 2024, 14 Uhr", "3. März 2024, 14.30 Uhr", 30),  # a dotted time before "Uhr" was read as 14:00
    ("03.03.2024 um 9.15 Uhr", "03.03.2024 um 10.00 Uhr", 45),
    ("2024年3月3日 上午10時15分 (UTC+08:00)", "2024-03-03 02:45 UTC", 30),  # the bracketed offset was dropped
    ("2024年3月3日下午两点", "2024年3月3日下午三点半", 90),  # hours in Chinese numerals
    ("2024年3月3日下午两点十五分", "2024年3月3日下午两点四十五分", 30),
    ("2024年十二月三日 10:00", "2024年十二月三日 10:30", 30),
])
def test_forms_a_second_session_12_user_test_found(started, published, minutes):
    got, _, notes = delays([published], [started])
    assert got.tolist() == [minutes] and notes == [[]]


def test_the_same_ambiguous_date_twice_needs_no_warning():
    """03/04 10:00 -> 03/04 10:30 is 30 minutes whichever order is meant (a session-12 user test)."""
    minutes, _, notes = delays(["03/04/2024 10:30"], ["03/04/2024 10:00"])
    assert minutes.tolist() == [30.0] and notes == [[]]
    minutes, _, notes = delays(["05/04/2024 10:30"], ["03/04/2024 10:00"])  # two dates: the order matters
    assert len(notes[0]) == 2


def test_an_ambiguous_zone_is_read_as_the_rows_language_uses_it():
    # CST: US Central or China; a Chinese row means China (lang/zh/config.json "time_zones")
    minutes, _, notes = delays(["2024-04-03 14:30 CST"] * 2, ["2024-04-03 14:05 CST"] * 2, langs=["zh-Hant", "en"])
    assert minutes[0] == 25.0 and "read the time zone 'CST' as UTC+08:00, as Chinese uses it" in notes[0][0]
    assert math.isnan(minutes[1]) and "which is ambiguous" in notes[1][0]
    assert delays(["2024-04-03 14:30 CST"], ["2024-04-03T06:05:00Z"], langs=["zh-Hans"])[0][0] == 25.0
    # also with a date order given, and when the row's other cell settles an ambiguous date
    assert delays(["2024-04-03 14:30 CST"], ["2024-04-03 14:05 CST"], langs=["zh-Hans"], date_order="day-first")[0][0] == 25.0
    assert delays(["02/01/2024 00:20 CST"], ["31/12/2023 23:50 CST"], langs=["zh-Hans"])[0][0] == 1470.0


def test_a_value_that_fails_after_its_date_was_read_gets_cannot_read():
    minutes, _, notes = delays(["03/04/2024 25:99"], ["2024-04-03 10:00"], langs=["fr"])
    assert math.isnan(minutes[0]) and notes[0] == ["cannot read published_at '03/04/2024 25:99' as a timestamp"]


def test_a_year_of_the_taiwan_calendar_is_read():
    # 民國 year 113 is 2024 (lang/zh/timestamp_eras.tsv); a blind test's Taiwan row was unreadable
    minutes = delays(["民國113年4月3日 14:30", "中華民國113年4月3日 下午2點30分", "民国113/04/03 14:30"],
                     ["2024-04-03 14:05"] * 3, langs=["zh-Hant", "zh-Hant", "zh-Hans"])[0]
    assert list(minutes) == [25.0, 25.0, 25.0]


def test_a_language_configs_date_order_is_checked(tmp_path, monkeypatch):
    import json
    import shutil

    from analyser import languages
    from analyser.errors import DataError

    lang = tmp_path / "lang"
    shutil.copytree(languages.lang_dir(), lang)
    cfg = json.loads((lang / "fr" / "config.json").read_text(encoding="utf-8"))
    cfg["date_order"] = "day_first"  # a typo would have been read as month first, silently
    (lang / "fr" / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    monkeypatch.setattr(languages, "lang_dir", lambda: lang)
    languages.registry.cache_clear()
    try:
        with pytest.raises(DataError, match="date_order is 'day-first' or 'month-first', not 'day_first'"):
            languages.registry()
    finally:
        languages.registry.cache_clear()


def test_the_summary_warns_when_an_incidents_first_statement_precedes_its_start():
    # a pre-announcement 30 minutes before the recorded start: the negative minutes are said, not hidden
    df = scored([("P", "2024-04-03T10:00Z", "2024-04-03T09:30Z", 1, 0, 1),
                 ("P", "2024-04-03T10:00Z", "2024-04-03T10:20Z", 2, 1, 0),
                 ("Q", "2024-04-03T10:00Z", "2024-04-03T10:20Z", 0, 0, 1)])
    out = summarise_incidents(df, "incident").set_index("incident")
    assert out.loc["P", "first_response_delay_minutes"] == -30.0 and out.loc["P", "minutes_to_first_cause"] == -30.0
    assert "published 30 minutes before its start" in out.loc["P", "warnings"] and out.loc["Q", "warnings"] == ""


def test_a_summary_with_one_time_column_reads_each_row_as_its_language_writes_times():
    # Chinese "CST" is China Standard Time (lang/zh/config.json), also without a started_at column
    df = pd.DataFrame({"incident": ["Z"], "published_at": ["2024-04-03 14:05 CST"], "lang": ["zh-Hans"],
                       "cause_level": [0], "apology_level": [0], "vagueness_level": [2]})
    row = summarise_incidents(df, "incident").iloc[0]
    assert row["first_published"] == "2024-04-03T06:05:00+00:00"
