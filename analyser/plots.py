"""DataFrames and plots over scored statements (matplotlib, imported lazily).

The plots read the columns of ``analyser.score_frame`` output: ``<dim>_level``,
``<dim>_score``, ``has_<facet>``, ``lang``, ``evidence`` and, when the input had
timestamps, ``delay_minutes``. Every plot function returns its matplotlib
:class:`~matplotlib.figure.Figure` (``fig.axes`` holds the axes).

* :func:`score_table` scores a DataFrame (``score_frame`` when available, else
  the same columns from ``analyse_many`` + ``Report.to_row``);
* :func:`level_distribution` shows how each dimension's levels are spread,
  optionally per group;
* :func:`compare_groups` compares companies or sources: mean score per
  dimension and share of each facet, per group;
* :func:`timeline` plots an incident's statements over time or delay against
  cause disclosure and apology (and humour);
* :func:`compare` puts two or more statements side by side in a tidy table,
  :func:`plot_compare` draws it.
"""
from __future__ import annotations

import functools
import inspect
import json

from .display import COLOURS
from .report import DIMENSIONS, FACETS, LEVEL_NAMES, Report

#: The critique's reference delays (minutes): 15 min "not good enough", 1.5 h and 3 h failures.
REFERENCE_DELAYS = {15: "15 min", 90: "1.5 h", 180: "3 h"}
#: Facet columns of a scored frame (``why`` is ``cause_level >= 1``).
FACET_COLUMNS = {"what": "has_what", "scope": "has_scope", "when": "has_when", "next": "has_next"}


def _plt():
    import matplotlib.pyplot as plt

    return plt


@functools.lru_cache(maxsize=1)
def _fallback_fonts() -> tuple[str, ...]:
    """The first installed family of each language's ``plot_fonts`` (``lang/<folder>/config.json``).

    Font collections (``.ttc``, how Linux distributions ship Noto CJK) are not in matplotlib's
    own font list, so when no wanted family is known the system's collections are added first.
    """
    from matplotlib import font_manager

    from .languages import registry

    wanted = [spec.plot_fonts for spec in {s.folder: s for s in registry().values()}.values() if spec.plot_fonts]
    known = {f.name for f in font_manager.fontManager.ttflist}
    if wanted and not all(any(n in known for n in names) for names in wanted):
        for path in font_manager.findSystemFonts():
            if path.lower().endswith(".ttc"):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a broken or unreadable font file
                    continue
        known = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(dict.fromkeys(next(n for n in names if n in known) for names in wanted if any(n in known for n in names)))


def _with_script_fonts(plot):
    """Draw ``plot``'s text with the user's fonts, then the fallback fonts for glyphs they lack
    (Chinese company names in matplotlib's default DejaVu Sans would be empty boxes)."""
    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        plt = _plt()
        family = list(plt.rcParams["font.family"])
        extra = [f for f in _fallback_fonts() if f not in family]
        with plt.rc_context({"font.family": family + extra} if extra else {}):
            return plot(*args, **kwargs)
    return wrapper


def _level_colours(dim: str) -> list:
    """Three shades of a dimension's colour for levels 0, 1, 2."""
    from matplotlib.colors import to_rgb

    base = to_rgb(COLOURS[dim][0])
    return [tuple(1 - (1 - c) * k for c in base) for k in (0.25, 0.6, 1.0)]


# -- frames ------------------------------------------------------------------
def reports_frame(reports, labels=None):
    """A DataFrame with one ``Report.to_row()`` per report (plus ``label`` and ``text``)."""
    import pandas as pd

    rows = []
    for i, r in enumerate(reports):
        row = {"label": labels[i] if labels is not None else f"statement {i + 1}", "text": r.text}
        row.update(r.to_row())
        rows.append(row)
    return pd.DataFrame(rows)


def add_delay(df, published_col: str = "published_at", started_col: str = "started_at", date_order: str | None = None):
    """Add ``delay_minutes`` (publication minus incident start) when both columns exist, read as
    ``batch`` reads them (:func:`analyser.timeliness.delays`)."""
    if published_col in df.columns and started_col in df.columns and "delay_minutes" not in df.columns:
        from .timeliness import delays

        langs = df["lang"].tolist() if "lang" in df.columns else None
        df = df.assign(delay_minutes=delays(df[published_col], df[started_col], date_order=date_order, langs=langs)[0])
    return df


def score_table(df, text_col: str = "text", lang_col: str | None = None, method: str = "auto", **kwargs):
    """Score a DataFrame's texts: ``analyser.score_frame`` when it exists, else an equivalent fallback.

    The fallback keeps ``df``'s columns and adds those of ``Report.to_row`` plus
    ``error``; with ``published_at`` and ``started_at`` columns it adds
    ``delay_minutes``.
    """
    import pandas as pd

    try:
        import analyser

        score_frame = analyser.score_frame
    except (AttributeError, ImportError):
        score_frame = None
    if score_frame is not None:
        params = inspect.signature(score_frame).parameters
        accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        extra = {"method": method, **({"lang_col": lang_col} if lang_col else {}), **kwargs}
        extra = {k: v for k, v in extra.items() if accepts_any or k in params}
        return score_frame(df, text_col=text_col, **extra)

    from .api import analyse_many

    langs = df[lang_col].tolist() if lang_col else None
    results = analyse_many(df[text_col].astype(str).tolist(), langs, method=method, errors="return")
    rows = [{"error": str(r)} if isinstance(r, Exception) else {**r.to_row(), "error": ""} for r in results]
    scored = pd.DataFrame(rows, index=df.index)
    out = pd.concat([df, scored[[c for c in scored.columns if c not in df.columns]]], axis=1)
    return add_delay(out)


def evidence_of(row_or_json, group: str | None = None) -> list[dict]:
    """The evidence spans of a scored row (its ``evidence`` JSON), optionally of one dimension or facet."""
    raw = row_or_json["evidence"] if not isinstance(row_or_json, str) else row_or_json
    data = json.loads(raw) if raw else {}
    if group is not None:
        return data.get(group, [])
    return [dict(e, group=g) for g, spans in data.items() for e in spans]


def numeric(df):
    """A copy with the level, score and facet columns as floats (missing values as NaN), for plotting."""
    import pandas as pd

    cols = [c for c in df.columns if str(c).endswith(("_level", "_score")) or str(c).startswith("has_")
            or c == "delay_minutes"]
    return df.assign(**{c: pd.to_numeric(df[c].astype("object"), errors="coerce").astype(float) for c in cols})


# -- plots -------------------------------------------------------------------
@_with_script_fonts
def level_distribution(df, by: str | None = None, dims=DIMENSIONS, normalize: bool = True, figsize=None):
    """Stacked bars of each dimension's levels (share or count), one panel per dimension.

    With ``by`` (a column such as ``company``), one bar per group.
    """
    plt = _plt()
    import pandas as pd

    dims = list(dims)
    df = numeric(df)
    groups = ["all"] if by is None else list(pd.unique(df[by].dropna()))
    fig, axes = plt.subplots(1, len(dims), figsize=figsize or (3.2 * len(dims), 0.45 * len(groups) + 2.2),
                             sharey=True, squeeze=False, layout="constrained")
    for ax, d in zip(axes[0], dims):
        col = f"{d}_level"
        data = df[[col] + ([by] if by else [])].dropna(subset=[col])
        keys = data[by] if by else pd.Series("all", index=data.index)
        table = pd.crosstab(keys, data[col].astype(int)).reindex(index=groups, columns=[0, 1, 2], fill_value=0)
        if normalize:
            table = table.div(table.sum(axis=1).replace(0, 1), axis=0)
        left = pd.Series(0.0, index=table.index)
        colours = _level_colours(d)
        threshold = 0.08 if normalize else max(1, table.to_numpy().max() * 0.08)
        for level in (0, 1, 2):
            vals = table[level]
            ax.barh([str(g) for g in table.index], vals, left=left, color=colours[level],
                    edgecolor="white", label=f"{level} {LEVEL_NAMES[d][level]}")
            for y, (v, l0) in enumerate(zip(vals, left)):
                if v >= threshold:
                    ax.text(l0 + v / 2, y, f"{v:.0%}" if normalize else f"{int(v)}", ha="center", va="center",
                            fontsize=8, color="white" if level == 2 else "black")
            left = left + vals
        ax.set_title(d)
        if normalize:
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=7, frameon=False,
                  handlelength=1, columnspacing=0.8)
        ax.invert_yaxis()
    what = "share of statements" if normalize else "statements"
    fig.suptitle(f"Levels per dimension ({what}" + (f", by {by})" if by else ")"))
    return fig


@_with_script_fonts
def compare_groups(df, by: str, dims=DIMENSIONS, facets: bool = True, figsize=None, top: int | None = 10):
    """Mean score per dimension per group (left) and share of statements with each facet (right).

    Error bars are standard errors of the mean; ``n`` per group is in the legend. Only the
    ``top`` groups with the most statements are drawn (``None``: all); the titles say so.
    """
    plt = _plt()
    import numpy as np

    dims = list(dims)
    grouped = numeric(df).groupby(by)
    sizes = grouped.size()
    groups = list(grouped.groups)
    shown = ""
    if top is not None and len(groups) > top:
        order = sorted(range(len(groups)), key=lambda i: -int(sizes[groups[i]]))  # stable: ties keep group order
        groups = [groups[i] for i in sorted(order[:top])]
        shown = f" ({top} largest of {len(sizes)})"
    ncols = 2 if facets else 1
    fig, axes = plt.subplots(1, ncols, figsize=figsize or (5.5 * ncols, 3.8), squeeze=False)
    width = 0.8 / max(1, len(groups))
    x = np.arange(len(dims))
    cmap = plt.get_cmap("tab10")
    ax = axes[0][0]
    for i, g in enumerate(groups):
        sub = grouped.get_group(g)
        means = [sub[f"{d}_score"].mean() for d in dims]
        sems = [sub[f"{d}_score"].sem() if len(sub) > 1 else 0 for d in dims]
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, means, width, yerr=sems, capsize=2,
               color=cmap(i % 10), label=f"{g} (n={len(sub)})")
    ax.set_xticks(x, dims)
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean score (level / 2)")
    ax.set_title("Scores by " + by + shown)
    if len(groups) > 4:  # beside the panels, not over the bars
        fig.legend(*ax.get_legend_handles_labels(), loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8,
                   frameon=False)
    else:
        ax.legend(fontsize=8, frameon=False)
    if facets:
        ax = axes[0][1]
        names = list(FACETS)
        xf = np.arange(len(names))
        for i, g in enumerate(groups):
            sub = grouped.get_group(g)
            shares = [(sub["cause_level"].dropna() >= 1).mean() if f == "why" else sub[FACET_COLUMNS[f]].mean()
                      for f in names]
            ax.bar(xf + (i - (len(groups) - 1) / 2) * width, shares, width, color=cmap(i % 10), label=str(g))
        ax.set_xticks(xf, names)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of statements with the facet")
        ax.set_title("Facets present by " + by + shown)
    fig.tight_layout()
    return fig


@_with_script_fonts
def timeline(df, x: str | None = None, label: str | None = None, group: str | None = None,
             reference: dict | None = None, xscale: str = "auto", ax=None, figsize=(9, 4.2),
             title: str | None = None):
    """Statements over time: cause level and apology level (and humour) against delay or time.

    ``x`` defaults to ``delay_minutes`` when present, else ``published_at``.
    ``label`` names a column annotated beside each statement (a label equal to
    the previous one is not repeated, so a status column marks its changes).
    With ``group`` (e.g. ``incident_id``), the points of each group are joined
    by a line; without it, all points are joined in order of ``x``. When ``x`` is
    a delay in minutes, dotted lines mark the critique's reference delays
    (:data:`REFERENCE_DELAYS`; ``reference={}`` hides them), and ``xscale="auto"``
    switches to a symmetric log scale when the delays span more than a day.
    """
    plt = _plt()
    import pandas as pd

    if x is None:
        x = "delay_minutes" if "delay_minutes" in df.columns else "published_at"
    if x not in df.columns:
        raise ValueError(f"timeline needs a {x!r} column (or delay_minutes): the statements' times")
    data = numeric(df)
    if x != "delay_minutes" and not pd.api.types.is_numeric_dtype(data[x]):
        # an unreadable time is left out, as scoring leaves its delay empty (it warns in its row)
        data = data.assign(**{x: pd.to_datetime(data[x], utc=True, errors="coerce", format="mixed")})
    data = data.dropna(subset=[x, "cause_level", "apology_level"]).sort_values(x, kind="stable")
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    delays = x == "delay_minutes"
    if delays and len(data):
        lo, hi = float(data[x].min()), float(data[x].max())
        if xscale == "auto":
            xscale = "symlog" if hi - min(lo, 0) > 24 * 60 else "linear"
        if xscale == "symlog":
            ax.set_xscale("symlog", linthresh=10)
        else:
            ref_max = max((REFERENCE_DELAYS if reference is None else reference), default=0)
            right = max(hi, ref_max)
            ax.set_xlim(min(0.0, lo) - 0.03 * (right - min(0.0, lo) + 1), right * 1.1 + 5)
    series = [("cause_level", "cause", COLOURS["cause"][0], "o", -0.06),
              ("apology_level", "apology", COLOURS["apology"][0], "s", 0.06)]
    parts = [data] if group is None else [g for _, g in data.groupby(group, sort=False)]
    for col, name, colour, marker, dy in series:
        for k, part in enumerate(parts):
            ax.plot(part[x], part[col] + dy, marker=marker, color=colour, linestyle="-" if group is None else ":",
                    drawstyle="steps-post" if group is None else "default", markersize=7,
                    label=f"{name} level" if k == 0 else None)
    if "humour_level" in data.columns:
        funny = data[data["humour_level"] >= 1]
        if len(funny):
            ax.scatter(funny[x], funny["cause_level"] + 0.32, marker="*", s=120 * funny["humour_level"],
                       color=COLOURS["humour"][0], label="humour (light ★, joke ★★)", zorder=3)
    if label is not None:
        previous, k = None, 0
        for _, row in data.iterrows():
            text = str(row[label])
            if text == previous:
                continue
            previous = text
            text = text if len(text) <= 38 else text[:37] + "…"
            ax.annotate(text, (row[x], row["cause_level"] - 0.06), xytext=(4, -14 - 11 * (k % 2)),
                        textcoords="offset points", fontsize=8, color="#374151")
            k += 1
    if delays:
        ref = REFERENCE_DELAYS if reference is None else reference
        for minutes, name in ref.items():
            ax.axvline(minutes, color="#9ca3af", linestyle=":", linewidth=1)
            ax.text(minutes, 2.45, name, ha="center", va="bottom", fontsize=8, color="#6b7280")
        ax.set_xlabel("delay after the incident started (minutes" + (", log scale)" if xscale == "symlog" else ")"))
    else:
        ax.set_xlabel(x)
        fig.autofmt_xdate()
    ax.set_ylim(-0.5, 2.7)
    ax.set_yticks([0, 1, 2], ["0 none", "1 generic / formulaic", "2 specific / accountable"])
    ax.grid(axis="y", color="#e5e7eb")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title(title or "Cause disclosure and apology over the incident")
    fig.tight_layout()
    return fig


def compare(items, labels=None, lang: str | None = None, method: str = "auto"):
    """Two or more statements side by side, as a tidy DataFrame.

    ``items`` are :class:`Report` objects or texts (scored with ``method``).
    One row per statement and measure (the four dimensions, then the five
    facets): ``statement``, ``kind`` (dimension / facet), ``measure``,
    ``level`` (0-2, or 0/1 for facets), ``label``, ``score`` (facets: 0 or 1),
    ``good`` (0-1, higher is better for the reader: 1 - score for humour and
    vagueness) and ``evidence`` (the spans' texts).
    """
    import pandas as pd

    items = list(items)
    if not items:
        raise ValueError("nothing to compare: give one statement or more")
    texts = [(i, t) for i, t in enumerate(items) if not isinstance(t, Report)]
    if texts:
        from .api import analyse_many

        for (i, _), r in zip(texts, analyse_many([t for _, t in texts], [lang] * len(texts), method=method)):
            items[i] = r
    labels = list(labels) if labels is not None else [f"statement {i + 1}" for i in range(len(items))]
    if len(labels) != len(items):
        raise ValueError(f"{len(labels)} labels for {len(items)} statements")
    seen: dict[str, int] = {}
    for k, lab in enumerate(map(str, labels)):  # two statements of one company: "A", "A (2)"
        seen[lab] = seen.get(lab, 0) + 1
        labels[k] = lab if seen[lab] == 1 else f"{lab} ({seen[lab]})"
    rows = []
    for lab, r in zip(labels, items):
        for d in DIMENSIONS:
            s = r.dimensions[d]
            rows.append({"statement": lab, "kind": "dimension", "measure": d, "level": s.level, "label": s.label,
                         "score": round(s.score, 4),
                         "good": round(1 - s.score if d in ("humour", "vagueness") else s.score, 4),
                         "evidence": " | ".join(dict.fromkeys(e.text for e in s.evidence))})
        for f in FACETS:
            fs = r.facets[f]
            rows.append({"statement": lab, "kind": "facet", "measure": f, "level": int(fs.present),
                         "label": "present" if fs.present else "missing", "score": float(fs.present),
                         "good": float(fs.present),
                         "evidence": " | ".join(dict.fromkeys(e.text for e in fs.evidence))})
    table = pd.DataFrame(rows)
    table["statement"] = pd.Categorical(table["statement"], categories=list(dict.fromkeys(labels)), ordered=True)
    return table


@_with_script_fonts
def plot_compare(table_or_items, labels=None, figsize=None, **kwargs):
    """A grid: measures down, statements across, coloured from bad (red) to good (green), labelled with levels."""
    plt = _plt()
    import numpy as np
    import pandas as pd

    table = table_or_items if isinstance(table_or_items, pd.DataFrame) else compare(table_or_items, labels, **kwargs)
    measures = list(DIMENSIONS) + list(FACETS)
    statements = list(table["statement"].cat.categories if hasattr(table["statement"], "cat")
                      else dict.fromkeys(table["statement"]))
    good = table.pivot_table(index="measure", columns="statement", values="good", observed=False).reindex(
        index=measures, columns=statements)
    mark = table["level"].astype(str).where(table["kind"] == "dimension", table["level"].map({1: "✓", 0: "✗"}))
    text = table.assign(cell=mark + " " + table["label"]).pivot(
        index="measure", columns="statement", values="cell").reindex(index=measures, columns=statements)
    fig, ax = plt.subplots(figsize=figsize or (1.9 * len(statements) + 2.2, 4.6))
    ax.imshow(good.to_numpy(dtype=float), cmap="RdYlGn", vmin=-0.35, vmax=1.35, aspect="auto")
    for i in range(len(measures)):
        for j in range(len(statements)):
            ax.text(j, i, str(text.iat[i, j]), ha="center", va="center", fontsize=8)
    ax.set_xticks(np.arange(len(statements)), [str(s) for s in statements])
    ax.set_yticks(np.arange(len(measures)), measures)
    ax.axhline(len(DIMENSIONS) - 0.5, color="white", linewidth=3)
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.set_title("Statements compared (green = better for readers)", pad=12)
    fig.tight_layout()
    return fig
