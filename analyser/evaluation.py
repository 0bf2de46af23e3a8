"""``python -m analyser evaluate``: honest figures for the model card.

* held-out: the shipped model on the real test split (never used for training
  or tuning), beside the majority-class and cue-rule baselines;
* ``--cv``: 5-fold cross-validation grouped by incident over all labelled data;
* ``--lolo``: leave-one-language-out (train without a language, test on it);
* ``--loco``: leave-one-company-out on the real statements;
* ``--later``: forward in time: train on the incidents that began before a year,
  score the real statements of those that began in it or later;
* ``--data FILE``: any labelled CSV/JSONL/Parquet scored with the installed model.

Metrics per dimension: quadratic-weighted kappa, macro-F1 over levels, and
binary F1 of "level > 0"; per facet: kappa and F1. Per language too.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from .data import LABELS
from .errors import DataError
from .report import DIMENSIONS

LANG_GROUPS = {"zh-Hans": "zh", "zh-Hant": "zh"}


def metrics(y_true, y_pred, head: str) -> dict:
    from sklearn.metrics import cohen_kappa_score, f1_score

    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    out = {"n": int(len(y_true))}
    if len(y_true) == 0:
        return out
    # kappa is undefined when the labels hold one class only (e.g. humour in status pages)
    out["kappa"] = None if len(set(y_true)) == 1 else float(cohen_kappa_score(y_true, y_pred, weights="quadratic"))
    if head in DIMENSIONS:
        out["macro_f1"] = float(f1_score(y_true, y_pred, average="macro", labels=sorted(set(y_true) | set(y_pred)), zero_division=0))
        out["binary_f1"] = float(f1_score(y_true > 0, y_pred > 0, zero_division=0))
    else:
        out["f1"] = float(f1_score(y_true, y_pred, zero_division=0))
    return out


def table(df, preds: dict[str, np.ndarray]) -> dict:
    """Metrics per head, overall and per language group."""
    langs = df["lang"].map(lambda l: LANG_GROUPS.get(l, l)).to_numpy()
    out = {}
    for head in LABELS:
        y = df[head].to_numpy(dtype=int)
        row = {"all": metrics(y, preds[head], head)}
        for lang in sorted(set(langs)):
            mask = langs == lang
            row[lang] = metrics(y[mask], preds[head][mask], head)
        out[head] = row
    return out


def rule_predictions(prepared: list) -> dict[str, np.ndarray]:
    from .rules import score_rules

    res = [score_rules(p) for p in prepared]
    preds = {d: np.array([r[0][d].level for r in res]) for d in DIMENSIONS}
    preds.update({f: np.array([int(r[1][f].present) for r in res]) for f in ("what", "scope", "when", "next")})
    return preds


def majority_predictions(train_df, n: int) -> dict[str, np.ndarray]:
    return {h: np.full(n, int(train_df[h].value_counts().idxmax())) for h in LABELS}


def model_predictions(model, prepared: list) -> dict[str, np.ndarray]:
    from .model import levels_from_proba

    probs = model.predict_proba(prepared)
    return {h: levels_from_proba(p) for h, p in probs.items()}


def cross_validate(df, prepared: list, folds: int = 5, **params) -> dict:
    """Grouped (by incident) k-fold predictions for the model and both baselines."""
    from sklearn.model_selection import GroupKFold

    from .model import StatementModel

    from .model import levels_from_proba

    n = len(df)
    # "most-probable": the same models with the most probable level instead of the rounded expected
    # one, to show what that decision rule (levels_from_proba) changes
    out = {name: {h: np.zeros(n, dtype=int) for h in LABELS} for name in ("model", "majority", "most-probable")}
    for tr, te in GroupKFold(n_splits=folds).split(np.zeros(n), groups=df["incident"].to_numpy()):
        tr_df = df.iloc[tr]
        model = StatementModel(**params).fit([prepared[i] for i in tr], {h: tr_df[h].to_numpy(dtype=int) for h in LABELS})
        probs = model.predict_proba([prepared[i] for i in te])
        maj = majority_predictions(tr_df, len(te))
        for h in LABELS:
            out["model"][h][te] = levels_from_proba(probs[h])
            out["most-probable"][h][te] = probs[h].argmax(axis=1)
            out["majority"][h][te] = maj[h]
    out["rules"] = rule_predictions(prepared)
    return {name: table(df, preds) for name, preds in out.items()}


def leave_one_language_out(df, prepared: list, **params) -> dict:
    groups = df["lang"].map(lambda l: LANG_GROUPS.get(l, l)).to_numpy()
    if len(set(groups)) < 2:
        raise DataError("leave-one-language-out needs statements in two or more languages (a 'lang' column)")
    out = {}
    for lang in sorted(set(groups)):
        te_df, preds, _ = _left_out(df, prepared, groups == lang, **params)
        out[lang] = {h: metrics(te_df[h], preds[h], h) for h in LABELS}
    return out


def _left_out(df, prepared: list, test: np.ndarray, keep: np.ndarray | None = None, **params):
    """Train on the rows outside the boolean mask ``test`` (and inside ``keep`` when given),
    predict the rows inside it.

    Returns (the test rows, the model's predictions, their prepared statements)."""
    from .model import StatementModel

    tr, te = np.flatnonzero(~test if keep is None else ~test & keep), np.flatnonzero(test)
    tr_df = df.iloc[tr]
    model = StatementModel(**params).fit([prepared[i] for i in tr], {h: tr_df[h].to_numpy(dtype=int) for h in LABELS})
    te_prep = [prepared[i] for i in te]
    return df.iloc[te].reset_index(drop=True), model_predictions(model, te_prep), te_prep


def leave_one_company_out(df, prepared: list, min_rows: int = 50, **params) -> dict:
    """Per company of the real statements (with ``min_rows`` or more): trained on everything
    else (other companies and the authored statements), scored on that company's statements.
    How far the models carry to a company whose house style they never saw."""
    if "company" not in df.columns:
        return {}
    real = (df["source"] == "real").to_numpy()
    companies = df.loc[real, "company"].value_counts()
    out = {}
    for company in sorted(companies[companies >= min_rows].index):
        out[company] = _model_and_rules(*_left_out(df, prepared, real & (df["company"] == company).to_numpy(), **params))
    return out


def _model_and_rules(te_df, preds, te_prep) -> dict:
    """Metrics per head of a left-out model's predictions and of the cue rules on the same rows."""
    rules = rule_predictions(te_prep)
    return {"model": {h: metrics(te_df[h], preds[h], h) for h in LABELS},
            "rules": {h: metrics(te_df[h], rules[h], h) for h in LABELS}}


def incident_years(df) -> np.ndarray:
    """The year each row's incident began (NaN when undated): its earliest ``started_at``, else
    ``published_at``."""
    import pandas as pd

    from .timeliness import parse_times

    ns = parse_times(df["started_at"].fillna(df["published_at"]))[0]
    first = pd.Series(ns).groupby(df["incident"].to_numpy()).transform("min").to_numpy()
    years = np.full(len(df), np.nan)
    dated = ~np.isnan(first)
    years[dated] = pd.to_datetime(first[dated].astype("int64"), utc=True).year
    return years


def later_cut(years: np.ndarray, share: float = 0.5) -> int:
    """The first year before which at least ``share`` of the dated rows began (else the last year)."""
    known = years[~np.isnan(years)]
    distinct = np.unique(known)
    for year in distinct[1:]:
        if (known < year).mean() >= share:
            return int(year)
    return int(distinct[-1])


def later_years(df, prepared: list, cut: int | None = None, **params) -> dict:
    """Forward in time, as a model meets next year's statements: trained on the authored statements
    and the real incidents that began before ``cut`` (default: the year that splits the real
    statements at half or just past it), scored on the real statements of incidents that began in ``cut``
    or later, beside the cue rules."""
    from .errors import DataError

    real = (df["source"] == "real").to_numpy()
    if not {"started_at", "published_at"} <= set(df.columns) or not real.any():
        raise DataError("--later needs real statements with started_at or published_at timestamps")
    years = incident_years(df)
    if np.isnan(years[real]).all():
        raise DataError("--later needs real statements with started_at or published_at timestamps; none parse")
    if cut is None:
        cut = later_cut(years[real])
    test = real & (years >= cut)
    train = ~test & ~(real & np.isnan(years))  # an undated real row has no side of the cut
    return {"cut": int(cut), "n_train": int(train.sum()), "n_train_real": int((train & real).sum()),
            **_model_and_rules(*_left_out(df, prepared, test, keep=train, **params))}


def held_out(df, prepared: list, model) -> dict:
    tr = df["split"] != "test"
    te = ~tr
    te_df = df[te].reset_index(drop=True)
    te_prep = [p for p, keep in zip(prepared, te) if keep]
    return {
        "model": table(te_df, model_predictions(model, te_prep)),
        "rules": table(te_df, rule_predictions(te_prep)),
        "majority": table(te_df, majority_predictions(df[tr], len(te_df))),
    }


def blind(model) -> dict:
    """The model and the cue rules on the blind set (``data/statements/blind``)."""
    import pandas as pd

    from .data import blind_rows
    from .training import prepare_all

    df = pd.DataFrame(blind_rows())
    prepared = prepare_all(df)
    return {"model": table(df, model_predictions(model, prepared)), "rules": table(df, rule_predictions(prepared))}


def _k(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_table(result: dict, title: str) -> str:
    """Markdown: one row per head; per method κ, macro-F1 (dimensions) or F1 (facets), binary F1."""
    methods = list(result)
    lines = [f"### {title}", "", "| head | " + " | ".join(f"{m} κ | {m} F1 | {m} bin-F1" for m in methods) + " |",
             "|---|" + "---|---|---|" * len(methods)]
    for head in LABELS:
        cells = []
        for m in methods:
            r = result[m][head]["all"]
            cells += [_k(r.get("kappa")), f"{r.get('macro_f1', r.get('f1', float('nan'))):.3f}",
                      f"{r.get('binary_f1', r.get('f1', float('nan'))):.3f}"]
        lines.append(f"| {head} | " + " | ".join(cells) + " |")
    return "\n".join(lines + ["", "κ: quadratic-weighted kappa (n/a where the labels hold one class). "
                               "F1: macro over levels for dimensions, binary for facets. bin-F1: F1 of level > 0."])


def format_by_language(result: dict, method: str = "model") -> str:
    langs = [k for k in result[method]["cause"] if k != "all"]
    lines = ["| head | " + " | ".join(f"{l} κ (n)" for l in langs) + " |", "|---|" + "---|" * len(langs)]
    for head in LABELS:
        cells = []
        for l in langs:
            r = result[method][head].get(l, {})
            cells.append(f"{_k(r.get('kappa'))} ({r.get('n', 0)})")
        lines.append(f"| {head} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def floors(cv: dict) -> list[str]:
    """The issue's floors checked against cross-validated figures (method "model")."""
    lines = []
    want = {"cause": 0.75, "apology": 0.75, "humour": 0.6, "vagueness": 0.6}
    for d, bar in want.items():
        k = cv["model"][d]["all"]["kappa"]
        rk = cv["rules"][d]["all"]["kappa"]
        langs = {l: r["kappa"] for l, r in cv["model"][d].items() if l != "all" and r.get("kappa") is not None}
        mean = sum(langs.values()) / len(langs)
        worst = min(langs, key=langs.get)
        lines.append(
            f"| {d} | {k:.3f} | {'yes' if k >= bar else 'NO'} (≥ {bar}) | {rk:.3f} | {'yes' if k > rk else 'NO'} | "
            f"{worst} {langs[worst]:.3f} vs mean {mean:.3f}: {'yes' if langs[worst] >= mean - 0.1 else 'NO'} |")
    return ["| dimension | CV κ | floor met | rules κ | beats rules | worst language within 0.1 of mean |",
            "|---|---|---|---|---|---|", *lines]


def write_card(results: dict, path: Path) -> None:
    """Write the model card (models/README.md) from the figures and training.json."""
    from .model import MODEL_FILE

    folder = path.parent
    meta = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    size = (folder / MODEL_FILE).stat().st_size / 1e6
    out = ["# Model card: analyser statement models", "",
           "Generated by `python -m analyser evaluate --cv --lolo --loco --later --blind --card` from the files in this folder; "
           "the figures below are measured, not typed.", "",
           "## What", "",
           "One featuriser shared by eight heads. Features: cue-lexicon features per cue kind (presence, capped count, "
           "rate per 20 tokens; the same in every language), structural features (length, digits, numbers, "
           "exclamation and question marks, capitals, sentences, emoji other than alert and status icons), TF-IDF of word unigrams and bigrams "
           "(digits folded to 0) and of CJK character bigrams. Heads: per dimension (cause, apology, humour, "
           "vagueness) a multinomial logistic regression over levels 0/1/2, per facet (what, scope, when, next) "
           "a binary one; each wrapped in `CalibratedClassifierCV(method='sigmoid', ensemble=False)`. "
           "Score = expected level / 2; level = the expected level rounded (halves up), so level = round(2 × score): "
           "the levels are ordered and the quadratic-weighted kappa punishes a miss by two four times as hard as a miss "
           "by one, which the most probable level ignores (the cross-validation table shows both rules). The fitted pipelines are compiled to plain arrays (one `.npz` loaded with "
           "`allow_pickle=False`: nothing in it can run code) and scored with numpy, giving scikit-learn's probabilities.",
           "", f"File: `{MODEL_FILE}`, {_size(size)}. Parameters: `{json.dumps(meta.get('params', {}))}`.", "",
           "## Training data", "",
           f"Trained on {meta['trained_on']['rows']} statements (the real held-out split, {meta['trained_on']['held_out_rows']} "
           f"statements, is left out), content hash `{meta['trained_on']['content_hash']}`.", "",
           "| source/language | statements |", "|---|---|",
           *[f"| {k} | {v} |" for k, v in sorted(meta["trained_on"]["by_source_lang"].items())], "",
           "Label distribution (training rows):", "", "| head | 0 | 1 | 2 |", "|---|---|---|---|",
           *[f"| {h} | " + " | ".join(str(d.get(str(i), "")) for i in range(3)) + " |" for h, d in meta["label_distribution"].items()], "",
           "## Library versions", "", *[f"- {k} {v}" for k, v in sorted(meta["versions"].items())], ""]
    if "held_out" in results:
        out += [format_table(results["held_out"], "Held-out real split (never used for training or tuning)"), "",
                "Per language (model):", "", format_by_language(results["held_out"]), ""]
    if "blind" in results:
        out += [format_table(results["blind"], "Blind set (written and labelled after the models by sessions that "
                                               "never saw the training data; never trained or tuned on)"), "",
                "Per language (model, κ with n):", "", format_by_language(results["blind"]), "",
                "See `data/statements/README.md` (\"Blind set\") for how it was written, labelled and adjudicated.", ""]
    if "cv" in results:
        out += [format_table(results["cv"], "Grouped 5-fold cross-validation over all labelled data (group = incident)"), "",
                "Per language (model, κ with n):", "", format_by_language(results["cv"]), "",
                "Per language (cue rules, κ):", "", format_by_language(results["cv"], "rules"), "",
                "### Floors (issue 4), on the cross-validated figures", "", *floors(results["cv"]), ""]
    if "lolo" in results:
        out += ["### Leave one language out (κ on the left-out language)", "",
                "Trained on every other language: what the language-independent cue features carry.", "",
                "| language | " + " | ".join(LABELS) + " |", "|---|" + "---|" * len(LABELS),
                *[f"| {lang} | " + " | ".join(_k(r[h].get("kappa")) for h in LABELS) + " |"
                  for lang, r in results["lolo"].items()], ""]
    if "loco" in results:
        out += ["### Leave one company out (real statements; κ, cue rules in brackets)", "",
                "Trained on every other company and the authored statements, scored on the left-out company: "
                "how far the models carry to a house style they never saw.", "",
                "| company | n | " + " | ".join(DIMENSIONS) + " |", "|---|---|" + "---|" * len(DIMENSIONS),
                *[f"| {c} | {r['model']['cause']['n']} | " + " | ".join(
                    f"{_k(r['model'][d].get('kappa'))} ({_k(r['rules'][d].get('kappa'))})" for d in DIMENSIONS) + " |"
                  for c, r in results["loco"].items()], ""]
    if "later" in results:
        r = results["later"]
        out += [f"### Later years (real statements of incidents from {r['cut']} on; κ)", "",
                f"Trained on the authored statements and the real incidents that began before {r['cut']} "
                f"({r['n_train_real']} real statements), scored on the {r['model']['cause']['n']} real statements of the "
                "incidents that began in that year or later: a model meeting statements written after its data.", "",
                "| method | " + " | ".join(LABELS) + " |", "|---|" + "---|" * len(LABELS),
                *[f"| {m} | " + " | ".join(_k(r[m][h].get("kappa")) for h in LABELS) + " |" for m in ("model", "rules")], ""]
    causal_file = folder / "causal_metrics.json"
    if causal_file.is_file():
        from .causal import markdown

        out += ["### Causal sentences (Causal News Corpus V1: chosen by CV on train, scored once on dev)", "",
                f"From `{causal_file.name}`, written by `python -m analyser evaluate --causal --causal-save`.", "",
                markdown(json.loads(causal_file.read_text(encoding="utf-8"))), ""]
    out += ["## Reproduce", "", "```bash", "python -m analyser train", "python -m analyser evaluate --cv --lolo --loco --later --blind --card",
            "```", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def _print_left_out(title: str, by_group: dict, heads) -> None:
    print()
    print(f"### {title} (kappa)")
    for group, r in by_group.items():
        print(f"- {group}: " + ", ".join(f"{h} {_k(r[h].get('kappa'))}" for h in heads))


def add_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="report kappa and F1 per dimension and language",
                       description="Evaluate the installed model (held-out real split by default).")
    p.add_argument("--data", help="a labelled CSV/JSONL/Parquet file to score (columns text, lang?, and the labels)")
    p.add_argument("--corpus", help="folder of the real corpus (default ../shared/corpus)")
    p.add_argument("--cv", action="store_true", help="also run grouped 5-fold cross-validation (slow: trains 5 models)")
    p.add_argument("--lolo", action="store_true", help="also run leave-one-language-out (trains one model per language)")
    p.add_argument("--loco", action="store_true",
                   help="also run leave-one-company-out on the real statements (one model per company)")
    p.add_argument("--later", action="store_true",
                   help="also train on the incidents before a year and score the real statements of later ones")
    p.add_argument("--blind", action="store_true",
                   help="also score the blind set (data/statements/blind: written and labelled after the models)")
    p.add_argument("--json", help="write all figures to this JSON file")
    p.add_argument("--card", action="store_true", help="write the model card models/README.md from these figures")
    p.add_argument("--causal", action="store_true", help="evaluate the causal-sentence component on CNC V1 dev instead")
    p.add_argument("--cnc", help="Causal News Corpus folder (default ../shared/benchmarks/causal_news_corpus)")
    p.add_argument("--causal-select", action="store_true", help="with --causal: rerun the cross-validated selection")
    p.add_argument("--causal-save", action="store_true", help="with --causal: write models/causal.skops and causal_metrics.json")
    p.set_defaults(func=_cmd)


def _size(mb: float) -> str:
    return f"{mb:.1f} MB" if mb >= 0.1 else f"{mb * 1000:.0f} kB"


def _cmd(args) -> int:
    if args.card and not args.cv:
        raise DataError("--card writes the model card from the cross-validated figures: add --cv")
    if args.causal:
        from .causal import main_causal

        return main_causal(args)
    from .model import default_model
    from .training import load_labelled, prepare_all

    df = load_labelled(args.data, args.corpus).reset_index(drop=True)
    prepared = prepare_all(df)
    model = default_model()
    results: dict = {}
    if args.data and Path(args.data).is_file():
        df["split"] = "test"  # every row of a given file is evaluated
        results["file"] = {"model": table(df, model_predictions(model, prepared)), "rules": table(df, rule_predictions(prepared))}
        print(format_table(results["file"], f"{args.data} ({len(df)} rows)"))
        print()
        print(format_by_language(results["file"]))
    else:
        results["held_out"] = held_out(df, prepared, model)
        print(format_table(results["held_out"], f"held-out real split ({int((df['split'] == 'test').sum())} statements)"))
    if args.blind:
        results["blind"] = blind(model)
        print()
        print(format_table(results["blind"], f"blind set ({results['blind']['model']['cause']['all']['n']} statements)"))
        print()
        print(format_by_language(results["blind"]))
    try:
        _left_out_runs(args, df, prepared, results)
    except ValueError as exc:  # scikit-learn: too few statements or incidents for the folds, a head with one level
        raise DataError(f"cannot evaluate on these {len(df)} statements: {str(exc).splitlines()[0]}") from None
    if args.card:
        from .model import model_dir

        card = model_dir() / "README.md"
        write_card(results, card)
        (model_dir() / "metrics.json").write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
        print(f"model card written to {card}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
        print(f"figures written to {args.json}", file=sys.stderr)
    return 0


def _left_out_runs(args, df, prepared: list, results: dict) -> None:
    """The runs that train models (``--cv``, ``--lolo``, ``--loco``, ``--later``), printed as they end."""
    if args.cv:
        results["cv"] = cross_validate(df, prepared)
        print()
        print(format_table(results["cv"], f"grouped 5-fold cross-validation ({len(df)} statements)"))
        print()
        print(format_by_language(results["cv"]))
    if args.lolo:
        results["lolo"] = leave_one_language_out(df, prepared)
        _print_left_out("leave one language out", results["lolo"], LABELS)
    if args.loco:
        results["loco"] = leave_one_company_out(df, prepared)
        if results["loco"]:
            _print_left_out("leave one company out", {c: r["model"] for c, r in results["loco"].items()}, DIMENSIONS)
        else:
            print("\nleave one company out: no company has 50 or more real statements (source 'real', "
                  "a 'company' column); nothing to leave out", file=sys.stderr)
    if args.later:
        r = results["later"] = later_years(df, prepared)
        _print_left_out(f"later years: trained on incidents before {r['cut']}",
                        {f"{r['cut']} on, model": r["model"], f"{r['cut']} on, rules": r["rules"]}, LABELS)
