"""Schema test over every file of data/statements/ (issue 3) and the loader's contract."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analyser.data import DATA_DIR, DEFAULT_CORPUS, LABELS, load_statements, split_of

DIMENSIONS = ("cause", "apology", "humour", "vagueness")
FACETS = ("what", "scope", "when", "next")
RANGES = {**{d: {0, 1, 2} for d in DIMENSIONS}, **{f: {0, 1} for f in FACETS}}
LANGS = {"zh-Hans", "zh-Hant", "en", "fr", "de", "es"}
AUTHORED_FIELDS = ("id", "lang", "text", "company", "sector", "channel", "stage", "incident",
                   "started_at", "published_at", *LABELS, "note")
COLUMNS = ["id", "source", "lang", "text", "company", "incident", "stage", "channel", "sector",
           "started_at", "published_at", *LABELS, "note", "split"]


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:  # pragma: no cover - reported as a failure
                    pytest.fail(f"{path}:{lineno}: invalid JSON ({exc.msg})")
    return rows


def read_csv_ids(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [r["id"] for r in csv.DictReader(fh)]


REAL_FILES = sorted((DATA_DIR / "labels").glob("real_*.jsonl"))
AUTHORED_FILES = sorted((DATA_DIR / "authored").glob("*.jsonl"))
AGREE = DATA_DIR / "agreement"
SECOND_FILES = sorted(AGREE.glob("second_*.jsonl"))
REAL = {p.name: read_jsonl(p) for p in REAL_FILES}
AUTHORED = {p.name: read_jsonl(p) for p in AUTHORED_FILES}
ALL_LABELLED = [r for rows in (*REAL.values(), *AUTHORED.values()) for r in rows]
LABELLED_IDS = {r["id"] for r in ALL_LABELLED}
REAL_IDS = {r["id"] for rows in REAL.values() for r in rows}
AUTHORED_IDS = {r["id"] for rows in AUTHORED.values() for r in rows}
CORPUS_PRESENT = DEFAULT_CORPUS.is_dir() and any(DEFAULT_CORPUS.glob("*.jsonl"))


def corpus_ids() -> set[str]:
    ids = set()
    for path in sorted(DEFAULT_CORPUS.glob("*.jsonl")):
        ids |= {r["id"] for r in read_jsonl(path) if "id" in r}
    return ids


def test_files_exist():
    assert len(REAL_FILES) >= 1 and len(AUTHORED_FILES) == 5
    assert len(SECOND_FILES) == 2 and (AGREE / "adjudication.jsonl").exists()
    assert len(REAL_IDS) >= 1500
    for name, rows in AUTHORED.items():
        assert len(rows) >= 150, name


@pytest.mark.parametrize("rows", [pytest.param(r, id=n) for n, r in {**REAL, **AUTHORED}.items()])
def test_label_values_in_range(rows):
    for r in rows:
        for k, allowed in RANGES.items():
            assert k in r, f"{r.get('id')}: missing {k}"
            assert type(r[k]) is int and r[k] in allowed, f"{r['id']}: {k}={r[k]!r}"
        assert isinstance(r.get("note", ""), str)


def test_real_rows_store_no_text():
    for name, rows in REAL.items():
        for r in rows:
            assert set(r) <= {"id", *LABELS, "note"}, f"{name}: {r['id']} has extra fields {set(r) - {'id', *LABELS, 'note'}}"


def test_real_ids_resolve_in_corpus():
    if not CORPUS_PRESENT:
        pytest.skip(f"real corpus not found at {DEFAULT_CORPUS}")
    missing = REAL_IDS - corpus_ids()
    assert not missing, f"{len(missing)} real label ids not in the corpus, e.g. {sorted(missing)[:5]}"


def test_real_labels_match_sample():
    sample = read_csv_ids(DATA_DIR / "real_sample.csv")
    assert set(sample) == REAL_IDS and len(sample) == len(set(sample))


def test_no_duplicate_ids_across_all_files():
    seen: dict[str, str] = {}
    for name, rows in {**REAL, **AUTHORED}.items():
        for r in rows:
            assert r["id"] not in seen, f"{r['id']} in {name} and {seen[r['id']]}"
            seen[r["id"]] = name


@pytest.mark.parametrize("rows", [pytest.param(r, id=n) for n, r in AUTHORED.items()])
def test_authored_schema(rows):
    for r in rows:
        for f in AUTHORED_FIELDS:
            assert f in r, f"{r.get('id')}: missing {f}"
        assert r["lang"] in LANGS, f"{r['id']}: lang {r['lang']!r}"
        for f in ("id", "text", "company", "sector", "channel", "stage", "incident"):
            assert isinstance(r[f], str) and r[f].strip(), f"{r['id']}: empty {f}"


def test_authored_language_matches_file():
    for name, rows in AUTHORED.items():
        stem = Path(name).stem
        for r in rows:
            assert r["lang"].split("-")[0] == stem, f"{r['id']} ({r['lang']}) in {name}"


def test_agreement_samples_and_second_labels():
    samples = {kind: read_csv_ids(AGREE / f"sample_{kind}.csv") for kind in ("real", "authored")}
    assert set(samples["real"]) <= REAL_IDS
    assert set(samples["authored"]) <= AUTHORED_IDS
    for kind, ids in samples.items():
        second = read_jsonl(AGREE / f"second_{kind}.jsonl")
        sids = [r["id"] for r in second]
        assert len(sids) == len(set(sids)), f"duplicate ids in second_{kind}"
        assert set(sids) == set(ids), f"second_{kind} does not match sample_{kind}"
        for r in second:
            for k, allowed in RANGES.items():
                assert r[k] in allowed, f"second_{kind}: {r['id']} {k}={r[k]!r}"
    assert len(samples["real"]) >= 0.15 * len(REAL_IDS)
    assert len(samples["authored"]) >= 0.15 * len(AUTHORED_IDS)


def test_adjudication_records():
    adj = read_jsonl(AGREE / "adjudication.jsonl")
    second = {r["id"]: r for p in SECOND_FILES for r in read_jsonl(p)}
    current = {r["id"]: r for r in ALL_LABELLED}
    keys = set()
    for a in adj:
        assert set(a) == {"id", "head", "first", "second", "final", "reason"}, a
        assert a["id"] in LABELLED_IDS and a["id"] in second, a["id"]
        assert a["head"] in RANGES, a["head"]
        for k in ("first", "second", "final"):
            assert a[k] in RANGES[a["head"]], a
        assert a["first"] != a["second"], f"{a['id']}/{a['head']}: not a disagreement"
        assert a["second"] == second[a["id"]][a["head"]], f"{a['id']}/{a['head']}: second label differs"
        assert current[a["id"]][a["head"]] == a["final"], f"{a['id']}/{a['head']}: final not applied"
        assert a["reason"].strip()
        assert (a["id"], a["head"]) not in keys, f"duplicate adjudication {a['id']}/{a['head']}"
        keys.add((a["id"], a["head"]))


def test_every_disagreement_adjudicated():
    adj = {(a["id"], a["head"]): a for a in read_jsonl(AGREE / "adjudication.jsonl")}
    current = {r["id"]: r for r in ALL_LABELLED}
    for p in SECOND_FILES:
        for s in read_jsonl(p):
            for h in RANGES:
                first = adj[(s["id"], h)]["first"] if (s["id"], h) in adj else current[s["id"]][h]
                if first != s[h]:
                    assert (s["id"], h) in adj, f"unadjudicated disagreement {s['id']}/{h}"


def test_incident_ids_non_empty():
    for r in (r for rows in AUTHORED.values() for r in rows):
        assert r["incident"].strip()
    if CORPUS_PRESENT:
        df = load_statements()
        assert df["incident"].map(lambda s: isinstance(s, str) and s.strip() != "").all()
        real = df[df["source"] == "real"]
        assert not real["incident"].str.endswith(":").any()


def test_load_statements_authored_only():
    df = load_statements(real=False)
    assert list(df.columns) == COLUMNS
    assert len(df) == len(AUTHORED_IDS) and (df["split"] == "train").all()


def test_load_statements_columns_and_split():
    if not CORPUS_PRESENT:
        pytest.skip(f"real corpus not found at {DEFAULT_CORPUS}")
    df = load_statements()
    assert list(df.columns) == COLUMNS
    assert len(df) == len(LABELLED_IDS) and df["id"].is_unique
    assert set(df["source"]) == {"real", "authored"}
    test = df[df["split"] == "test"]
    assert len(test) > 0 and (test["source"] == "real").all()
    assert df.groupby("incident")["split"].nunique().max() == 1, "an incident straddles the splits"
    for k in LABELS:
        assert df[k].dtype.kind == "i"
    assert df["split"].tolist() == [split_of(s, i) for s, i in zip(df["source"], df["incident"])]


def test_missing_corpus_is_a_clear_error(tmp_path):
    from analyser.errors import DataError

    with pytest.raises(DataError, match="corpus is missing"):
        load_statements(tmp_path / "nowhere")


BLIND = DATA_DIR / "blind"


def test_blind_set_is_whole_and_labelled_in_range():
    from analyser.data import blind_rows

    rows = read_jsonl(BLIND / "blind.jsonl")
    assert len(rows) == 300 and len({r["id"] for r in rows}) == 300
    assert {r["lang"] for r in rows} == LANGS
    for r in rows:
        for k, allowed in RANGES.items():
            assert r[k] in allowed, (r["id"], k, r[k])
        assert r["text"].strip()
    assert len(blind_rows()) == 300


def test_blind_set_is_never_trained_on():
    """Neither its ids nor its texts are among the labelled training statements, and the loader
    the training reads (load_statements) does not return it."""
    rows = read_jsonl(BLIND / "blind.jsonl")
    assert not {r["id"] for r in rows} & LABELLED_IDS
    authored_texts = {r["text"] for rows_ in AUTHORED.values() for r in rows_}
    assert not {r["text"] for r in rows} & authored_texts
    df = load_statements(real=False)
    assert "blind" not in set(df["source"]) and not set(df["id"]) & {r["id"] for r in rows}


def test_blind_labels_are_the_first_labelling_with_every_disagreement_adjudicated():
    final = {r["id"]: r for r in read_jsonl(BLIND / "blind.jsonl")}
    a = {r["id"]: r for r in read_jsonl(BLIND / "labels_A.jsonl")}
    b = {r["id"]: r for r in read_jsonl(BLIND / "labels_B.jsonl")}
    adj = {r["id"]: r for r in read_jsonl(BLIND / "adjudication.jsonl")}
    assert set(a) == set(b) == set(final)
    for i, r in final.items():
        disputed = {h for h in RANGES if a[i][h] != b[i][h]}
        assert bool(disputed) == (i in adj) == r["adjudicated"], i
        for h in RANGES:
            want = adj[i]["final"][h] if h in disputed else a[i][h]
            assert r[h] == want, (i, h)
        if disputed:
            assert set(adj[i]["final"]) == disputed and adj[i]["why"].strip()
