"""`python -m analyser train` and `evaluate` as a user runs them."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_train_without_the_real_corpus_uses_authored_statements_and_warns(tmp_path):
    data = tmp_path / "statements"
    (data / "authored").mkdir(parents=True)
    shutil.copy(ROOT / "data/statements/authored/en.jsonl", data / "authored/en.jsonl")
    (data / "labels").mkdir()
    out = tmp_path / "models"
    res = subprocess.run([sys.executable, "-m", "analyser", "train", "--data", str(data),
                          "--corpus", str(tmp_path / "no-corpus"), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "authored statements only" in res.stderr
    assert (out / "analyser.npz").is_file()
    meta = json.loads((out / "training.json").read_text())
    n_en = sum(1 for line in (ROOT / "data/statements/authored/en.jsonl").open(encoding="utf-8") if line.strip())
    assert meta["trained_on"]["by_source_lang"] == {"authored/en": n_en}

    # the trained model scores through the CLI when pointed at
    env = {"ANALYSER_MODELS": str(out), "PATH": "/usr/bin:/bin"}
    scored = subprocess.run([sys.executable, "-m", "analyser", "score", "--json", "--text",
                             "Sorry! Checkout failed for all customers from 14:05 to 14:40 because of an expired certificate."],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["method"] == "model"


def test_evaluate_a_labelled_file(tmp_path):
    rows = [json.loads(line) for line in open(ROOT / "data/statements/authored/fr.jsonl", encoding="utf-8")][:30]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "analyser", "evaluate", "--data", str(path), "--json", str(tmp_path / "f.json")],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    if "no model" in res.stderr:
        return  # no trained model installed: nothing to evaluate
    assert res.returncode == 0, res.stderr
    figures = json.loads((tmp_path / "f.json").read_text())["file"]
    for method in ("model", "rules"):
        for head in ("cause", "apology", "humour", "vagueness"):
            assert figures[method][head]["all"]["n"] == 30
            assert "kappa" in figures[method][head]["fr"]


def test_leave_one_company_out_scores_each_company_on_a_model_that_never_saw_it():
    from analyser.data import load_statements
    from analyser.evaluation import leave_one_company_out
    from analyser.training import prepare_all

    df = load_statements(real=False)
    df = df[df["lang"] == "en"].reset_index(drop=True)
    # stand-ins for two real companies: the authored English statements, split by incident
    df["source"] = "real"
    df["company"] = ["Alpha" if i % 2 else "Beta" for i in df["incident"].factorize()[0]]
    result = leave_one_company_out(df, prepare_all(df), min_rows=50)
    assert set(result) == {"Alpha", "Beta"}
    for company, r in result.items():
        n = int((df["company"] == company).sum())
        for d in ("cause", "apology", "humour", "vagueness"):
            assert r["model"][d]["n"] == r["rules"][d]["n"] == n
        assert r["model"]["apology"]["kappa"] > 0.5  # learnt from the other company's statements


def test_later_years_trains_on_earlier_incidents_and_scores_later_ones():
    from analyser.data import load_statements
    from analyser.evaluation import incident_years, later_years
    from analyser.training import prepare_all

    df = load_statements(real=False)
    df = df[df["lang"] == "en"].reset_index(drop=True)
    df["source"] = "real"
    order = df["incident"].factorize()[0]
    year = 2020 + order % 4  # incidents spread over 2020-2023, in two timestamp spellings
    df["started_at"] = [f"{y}-05-01T10:00:00Z" if i % 2 else f"{y}-05-01 12:00:00+02:00" for i, y in enumerate(year)]
    # a later update of an incident keeps it in the year it began
    df["published_at"] = "2030-01-01T00:00:00Z"
    assert incident_years(df).tolist() == year.tolist()
    result = later_years(df, prepare_all(df))
    # the first year before which at least half of the rows began
    shares = {y: (year < y).mean() for y in (2021, 2022, 2023)}
    assert result["cut"] == min(y for y, s in shares.items() if s >= 0.5)
    assert result["model"]["cause"]["n"] == int((year >= result["cut"]).sum())
    assert result["n_train"] == int((year < result["cut"]).sum())
    assert result["model"]["apology"]["kappa"] > 0.5  # learnt from the earlier incidents


def _labelled_csv(path: Path, n: int = 40) -> Path:
    import pandas as pd

    rows = [json.loads(line) for line in open(ROOT / "data/statements/authored/en.jsonl", encoding="utf-8")][:n]
    df = pd.DataFrame(rows)[["text", "lang", "cause", "apology", "humour", "vagueness", "what", "scope", "when", "next"]]
    df["cause"] = df["cause"].astype(float)  # spreadsheets write 1.0
    df.to_csv(path, index=False)
    return path


def test_labels_written_as_floats_are_taken_and_bad_labels_name_their_row(tmp_path):
    import pandas as pd
    import pytest

    from analyser.errors import DataError
    from analyser.training import load_labelled

    path = _labelled_csv(tmp_path / "mine.csv")
    df = load_labelled(path)
    assert df["cause"].dtype.kind == "i" and set(df["cause"]) <= {0, 1, 2}
    bad = pd.read_csv(path)
    bad = bad.astype({"apology": object})
    bad.loc[3, "apology"] = "high"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(DataError, match="row 5: apology is 'high'"):
        load_labelled(tmp_path / "bad.csv")
    bad.loc[3, "apology"] = 3
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(DataError, match="whole numbers from 0 to 2"):
        load_labelled(tmp_path / "bad.csv")


def test_train_and_evaluate_on_a_users_file_fail_in_one_line(tmp_path):
    import pandas as pd

    path = _labelled_csv(tmp_path / "mine.csv")
    one = pd.read_csv(path)
    one["humour"] = 0  # one level only: nothing to learn
    one.to_csv(tmp_path / "one.csv", index=False)
    (tmp_path / "afile").write_text("x")
    cases = [
        (["train", "--data", str(tmp_path / "one.csv"), "--out", str(tmp_path / "m")], "cannot train on these 40"),
        (["train", "--data", str(path), "--out", str(tmp_path / "afile")], "cannot write the model"),
        (["evaluate", "--data", str(path), "--lolo"], "two or more languages"),
        (["evaluate", "--data", str(path), "--card"], "add --cv"),
    ]
    for args, message in cases:
        res = subprocess.run([sys.executable, "-m", "analyser", *args], capture_output=True, text=True, cwd=ROOT,
                             timeout=600)
        assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr, (args, res.stderr)


def test_a_models_folder_without_a_model_is_warned_about(tmp_path):
    env = {"ANALYSER_MODELS": str(tmp_path / "typo"), "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-m", "analyser", "score", "--text", "Payments failed at 10:00. Sorry."],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert res.returncode == 0 and "holds no analyser.npz" in res.stderr and "method: rules" in res.stdout
