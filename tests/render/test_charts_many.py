"""Charts with many units (issue 14): the axis fits the data (the target kept, or marked above
the scale), the 6 highest and 6 lowest lines named at their ends and the others grey, the
target a line in the legend, at most 60 bars beyond one per province."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from ncovi_stats.api.progress import Progress, progress_report
from ncovi_stats.cli.app import run
from ncovi_stats.render import chart_style, charts
from tests.support import request

CUTOFF = datetime(2020, 4, 10, 17, 0)
DEADLINE = date(2020, 4, 17)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("national") / "national.parquet"
    assert run(["sample", str(path), "--province", "all", "--persons", "20000"]) == 0
    return path


def progress_of(path: Path, level: str) -> Progress:
    return progress_report(
        request(path, as_of=CUTOFF), level=level, target=Decimal(90), deadline=DEADLINE
    )


def gids(figure, prefix: str) -> list:
    axes = figure.axes[0]
    found = [*axes.lines, *axes.patches, *axes.texts]
    return [a for a in found if (a.get_gid() or "").startswith(prefix)]


def test_63_provinces_over_time(national: Path) -> None:
    done = progress_of(national, "province")
    records = done.report.records
    figure = charts.plot_progress(
        done.series.records,
        records,
        level="province",
        target=Decimal(90),
        deadline=DEADLINE,
        cutoff=CUTOFF,
    )
    axes = figure.axes[0]
    coverage = {
        row["province_code"]: Fraction(row["persons_counted"], row["population"])
        for row in records.iter_rows(named=True)
    }
    ranked = sorted(coverage, key=lambda code: (coverage[code], code))
    named = set(ranked[:6] + ranked[-6:])
    lines = {line.get_gid().removeprefix("unit-"): line for line in gids(figure, "unit-")}
    assert len(lines) == 63
    grey = {code for code, line in lines.items() if line.get_color() == chart_style.OTHER_LINE}
    assert grey == set(lines) - named  # the 6 highest and 6 lowest in colour, the rest grey
    assert len(gids(figure, "end-")) == 12  # each named line labelled at its end
    highest = float(max(coverage.values())) * 100
    bottom, top = axes.get_ylim()
    assert bottom == 0 and highest < top <= highest * 1.25 + 1e-9  # the scale fits the data
    (note,) = gids(figure, "target-off-scale")
    assert note.get_text() == "▲ Target 90%: above the scale"
    legend = axes.get_legend()
    target_handle = next(h for h in legend.legend_handles if h.get_label() == "Target 90%")
    assert type(target_handle).__name__ == "Line2D"
    labels = [text.get_text() for text in legend.get_texts()]
    assert "The other 51 (named: the 6 highest and 6 lowest)" in labels
    assert not gids(figure, "projection-")  # with many units the tables give the projections


def test_district_bars_of_the_whole_country(national: Path) -> None:
    done = progress_of(national, "district")
    records = done.report.records.filter(done.report.records["population"].is_not_null())
    assert records.height > 600
    figure = charts.plot_coverage_bars(
        done.report.records, level="district", target=Decimal(90), cutoff=CUTOFF
    )
    bars = gids(figure, "bar-")
    assert len(bars) == 60
    ordered = records.sort(["coverage_pct", "district_code"], descending=[False, True])
    expected = ordered.head(30)["district_code"].to_list()
    expected += ordered.tail(30)["district_code"].to_list()
    assert [bar.get_gid() for bar in sorted(bars, key=lambda b: b.get_y())] == [
        f"bar-{code}" for code in expected
    ]
    between = records.height - 60
    handles = figure.axes[0].get_legend().legend_handles
    assert [(type(h).__name__, h.get_label()) for h in handles[-2:]] == [
        ("Line2D", "Target 90%: above the scale ▶"),  # the target as a line, off the scale
        ("Line2D", f"{between} units between the 30 lowest and 30 highest: see the tables"),
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.3], (0.375, False)),  # 0.3% against 90%: the axis fits the data
        ([41.0], (90 * 1.08, True)),  # 41% reaches a fifth of 90%: the target stays
        ([18.0], (90 * 1.08, True)),  # exactly a fifth
        ([17.9], (17.9 * 1.25, False)),
        ([95.0], (95 * 1.08, True)),
        ([], (90 * 1.08, True)),
    ],
)
def test_value_axis_top(values: list[float], expected: tuple[float, bool]) -> None:
    top, on_scale = chart_style.value_axis_top(values, 90.0)
    assert (top, on_scale) == (pytest.approx(expected[0]), expected[1])


def test_end_labels_never_leave_the_axis() -> None:
    points = [(0.9, "a"), (0.95, "b"), (1.0, "c")]
    placed = charts.spread(points, gap=0.1, top=1.05)
    heights = [y for _, y in placed]
    assert heights == pytest.approx([0.85, 0.95, 1.05])
    assert all(b - a >= 0.1 - 1e-12 for a, b in zip(heights, heights[1:], strict=False))
