"""analyser.plots: DataFrame helpers and matplotlib figures (Agg backend, no display)."""
from __future__ import annotations

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pd = pytest.importorskip("pandas")

from matplotlib.figure import Figure  # noqa: E402

from analyser import analyse, plots  # noqa: E402
from analyser.report import DIMENSIONS, FACETS  # noqa: E402

# fmt: off
ROWS = [
    ("Acme", "inc-1", "We are investigating reports of errors on the dashboard.",
     "2024-03-01T10:00:00Z", "2024-03-01T10:12:00Z"),
    ("Acme", "inc-1", "The errors were caused by a configuration change to our load balancers. Next update at 11:30 UTC.",
     "2024-03-01T10:00:00Z", "2024-03-01T10:50:00Z"),
    ("Acme", "inc-1", "Resolved. We are sorry: this was our mistake and affected customers will receive a credit.",
     "2024-03-01T10:00:00Z", "2024-03-01T12:10:00Z"),
    ("Zeta", "inc-2", "今天16:50，微信上海数据中心抽搐了一下，少部分用户无法正常登录。目前攻城狮正在玩命修复中，对不起大家！",
     "2024-03-02T08:30:00Z", "2024-03-02T10:00:00Z"),
    ("Zeta", "inc-2", "Some users may experience issues. We are working hard to fix it 😅",
     "2024-03-02T08:30:00Z", "2024-03-02T08:45:00Z"),
    ("Zeta", "inc-3", "", "2024-03-03T08:30:00Z", "2024-03-03T08:45:00Z"),  # an empty text: an error row
]
# fmt: on


@pytest.fixture(scope="module")
def frame():
    df = pd.DataFrame(ROWS, columns=["company", "incident", "text", "started_at", "published_at"])
    return plots.score_table(df, method="rules")


@pytest.fixture(autouse=True)
def _close():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_score_table_has_the_batch_columns(frame):
    for d in DIMENSIONS:
        assert f"{d}_level" in frame and f"{d}_score" in frame
    for col in ("has_what", "has_scope", "has_when", "has_next", "lang", "evidence", "error", "delay_minutes"):
        assert col in frame
    assert list(frame["delay_minutes"].iloc[:3]) == [12, 50, 130]
    assert frame["error"].iloc[-1]  # the empty text
    assert plots.evidence_of(frame.iloc[1], "cause")


def test_score_table_fallback_matches(monkeypatch, frame):
    import analyser

    def missing(name):
        raise AttributeError(name)

    monkeypatch.setattr(analyser, "__getattr__", missing)
    df = frame[["company", "incident", "text", "started_at", "published_at"]]
    fallback = plots.score_table(df, method="rules")
    ok = fallback["error"] == ""
    for d in DIMENSIONS:
        assert list(fallback.loc[ok, f"{d}_level"]) == list(frame.loc[ok, f"{d}_level"])
    assert list(fallback["delay_minutes"]) == list(frame["delay_minutes"])


@pytest.mark.parametrize("by", [None, "company"])
def test_level_distribution(frame, by):
    fig = plots.level_distribution(frame, by=by)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == list(DIMENSIONS)
    n_groups = 1 if by is None else 2
    for ax in fig.axes:
        assert len(ax.patches) == 3 * n_groups  # one segment per level per group
        assert len(ax.get_legend().get_texts()) == 3
    # shares add up to one per bar
    ax = fig.axes[0]
    widths = {}
    for p in ax.patches:
        widths.setdefault(round(p.get_y(), 3), 0.0)
        widths[round(p.get_y(), 3)] += p.get_width()
    assert all(w == pytest.approx(1.0) for w in widths.values())


def test_level_distribution_counts(frame):
    fig = plots.level_distribution(frame, normalize=False)
    total = sum(p.get_width() for p in fig.axes[0].patches)
    assert total == (frame["error"] == "").sum()


def test_compare_groups(frame):
    fig = plots.compare_groups(frame, by="company")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    left, right = fig.axes
    assert [t.get_text() for t in left.get_xticklabels()] == list(DIMENSIONS)
    assert [t.get_text() for t in right.get_xticklabels()] == list(FACETS)
    heights = [p.get_height() for p in left.patches]
    acme = frame[frame["company"] == "Acme"]
    assert heights[0] == pytest.approx(acme["cause_score"].astype(float).mean())
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert labels == ["Acme (n=3)", "Zeta (n=3)"]


def test_compare_groups_draws_the_largest_groups_only(frame):
    many = pd.concat([frame.assign(company=f"c{i:02d}") for i in range(12)] + [frame.assign(company="big")] * 3,
                     ignore_index=True)
    fig = plots.compare_groups(many, by="company", top=3)
    left = fig.axes[0]
    assert "3 largest of 13" in left.get_title()
    labels = [t.get_text() for t in fig.legends[0].get_texts()] if fig.legends else \
        [t.get_text() for t in left.get_legend().get_texts()]
    assert labels[0].startswith("big (n=18)") and len(labels) == 3
    assert len(left.patches) == 3 * len(DIMENSIONS)
    everything = plots.compare_groups(many, by="company", top=None)
    assert len(everything.axes[0].patches) == 13 * len(DIMENSIONS)


def test_chinese_labels_are_drawn_with_a_fallback_font(frame):
    """Chinese group names are drawn with an installed CJK family, not as empty boxes of DejaVu Sans."""
    import warnings

    if not plots._fallback_fonts():
        pytest.skip("no font with Han characters installed")
    zh = frame.assign(company=frame["company"].map({"Acme": "微信支付", "Zeta": "網上銀行"}))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")
        fig = plots.level_distribution(zh, by="company")
        fig.canvas.draw()
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]  # the user's settings are left as they were


def test_timeline(frame):
    inc = frame[frame["incident"] == "inc-1"]
    fig = plots.timeline(inc, label="text")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("delay")
    cause_line = next(line for line in ax.get_lines() if line.get_label() == "cause level")
    assert list(cause_line.get_xdata()) == [12, 50, 130]
    assert len(ax.texts) >= 3 + len(plots.REFERENCE_DELAYS)
    # by time instead of delay, several incidents, humour marked
    fig = plots.timeline(frame.drop(columns="delay_minutes"), group="incident", reference={})
    assert fig.axes[0].get_xlabel() == "published_at"
    assert any(c.get_label().startswith("humour") for c in fig.axes[0].collections)


def test_compare_table_and_plot():
    texts = ["Sorry, payments failed from 14:05 to 14:40 because of an expired certificate.",
             "Some users may see errors. We are working hard on it 😅"]
    table = plots.compare(texts, labels=["good", "bad"], method="rules")
    assert list(table.columns) == ["statement", "kind", "measure", "level", "label", "score", "good", "evidence"]
    assert len(table) == 2 * (len(DIMENSIONS) + len(FACETS))
    wide = table.pivot(index="measure", columns="statement", values="level")
    assert wide.loc["cause", "good"] == 2 and wide.loc["cause", "bad"] == 0
    assert table.set_index(["statement", "measure"]).loc[("bad", "humour"), "good"] < 1
    # reports and texts mix
    mixed = plots.compare([analyse(texts[0], method="rules"), texts[1]], method="rules")
    assert list(mixed["level"]) == list(table["level"])
    fig = plots.plot_compare(table)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["good", "bad"]
    assert len(ax.texts) == len(table)
    with pytest.raises(ValueError):
        plots.compare(texts, labels=["one"], method="rules")


def test_compare_two_statements_of_one_company_and_nothing():
    texts = ["Sorry, payments failed because of an expired certificate.", "Payments are back."]
    fig = plots.plot_compare(plots.compare(texts, labels=["Acme", "Acme"], method="rules"))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Acme", "Acme (2)"]
    with pytest.raises(ValueError, match="nothing to compare"):
        plots.compare([])


def test_timeline_leaves_out_an_unreadable_time_and_names_a_missing_column(frame):
    inc = frame.drop(columns="delay_minutes").astype({"published_at": object})
    inc.loc[inc.index[0], "published_at"] = "not a time"
    fig = plots.timeline(inc, reference={})
    cause_line = next(line for line in fig.axes[0].get_lines() if line.get_label() == "cause level")
    assert inc["cause_level"].notna().iloc[0]
    assert len(cause_line.get_xdata()) == int(inc["cause_level"].notna().sum()) - 1
    with pytest.raises(ValueError, match="needs a 'published_at' column"):
        plots.timeline(frame.drop(columns=["delay_minutes", "published_at"]))


def test_matplotlib_is_imported_lazily():
    import subprocess
    import sys

    code = "import sys, analyser.plots, analyser.display; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    assert out.stdout.strip() == "False"
