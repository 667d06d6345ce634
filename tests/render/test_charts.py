"""Charts asserted on the returned Figure; a PNG written, the same bytes each time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ncovi_stats.api.progress import Progress, progress_report
from ncovi_stats.cli.app import run
from ncovi_stats.render import chart_style, charts
from tests.support import request

CUTOFF = datetime(2020, 4, 8, 17, 0)
DEADLINE = date(2020, 4, 17)


@pytest.fixture
def bac_kan_like(export) -> Path:
    """Persons in three of the eight districts of Bắc Kạn over four days."""
    rows = [
        {
            "declared_at": f"2020-04-0{5 + i % 4} 0{i % 9}:00",
            "person_key": f"{district}-{i}",
            "province_code": "06",
            "district_code": district,
        }
        for district, count in (("058", 30), ("060", 12), ("061", 5))
        for i in range(count)
    ]
    return export(rows)


def progress_of(path: Path) -> Progress:
    return progress_report(
        request(path, as_of=CUTOFF), level="district", target=Decimal(90), deadline=DEADLINE
    )


def by_gid(figure, prefix: str) -> list:
    axes = figure.axes[0]
    return [a for a in [*axes.lines, *axes.patches] if (a.get_gid() or "").startswith(prefix)]


def test_progress_chart(bac_kan_like: Path) -> None:
    done = progress_of(bac_kan_like)
    figure = charts.plot_progress(
        done.series.records,
        done.report.records,
        level="district",
        target=Decimal(90),
        deadline=DEADLINE,
        cutoff=done.report.cutoff,
        lang="vi",
    )
    (target,) = by_gid(figure, "target")
    assert list(target.get_ydata()) == [90.0, 90.0]
    import matplotlib.dates as mdates

    (deadline,) = by_gid(figure, "deadline")
    assert {mdates.date2num(x) for x in deadline.get_xdata()} == {mdates.date2num(DEADLINE)}
    units = by_gid(figure, "unit-")
    listed = done.report.records["district_code"].sort().to_list()
    assert len(listed) == 8  # every district of Bắc Kạn, zeros included: one line each
    assert sorted(line.get_gid() for line in units) == [f"unit-{code}" for code in listed]
    city = next(line for line in units if line.get_gid() == "unit-058")
    assert city.get_label() == "Thành phố Bắc Kạn"  # not the province's short name
    assert len(city.get_xdata()) == 4  # 5 to 8 April, one point a day
    assert (
        city.get_ydata()[-1]
        == 100
        * 30
        / done.report.records.filter(done.report.records["district_code"] == "058")[
            "population"
        ].item()
    )
    projections = by_gid(figure, "projection-")
    assert {p.get_gid() for p in projections} == {
        "projection-058",
        "projection-060",
        "projection-061",
    }
    assert all(p.get_linestyle() == "--" for p in projections)
    title = figure.axes[0].get_title()
    assert "Bắc Kạn (8 huyện)" in title and "17 giờ 00 ngày 08/4/2020" in title
    assert "census-2019" in title
    assert figure.axes[0].get_ylabel() == "Tỷ lệ (% dân số)"


def test_bars_chart_sorted_and_coloured_by_status(bac_kan_like: Path) -> None:
    done = progress_of(bac_kan_like)
    figure = charts.plot_coverage_bars(
        done.report.records, level="district", target=Decimal(90), cutoff=CUTOFF
    )
    (target,) = by_gid(figure, "target")
    assert list(target.get_xdata()) == [90.0, 90.0]
    bars = by_gid(figure, "bar-")
    records = done.report.records.filter(done.report.records["population"].is_not_null())
    assert len(bars) == records.height  # every listed district of Bắc Kạn, zeros included
    heights = [(bar.get_y(), bar.get_width()) for bar in bars]
    widths = [w for _, w in sorted(heights)]
    assert widths == sorted(widths)  # highest coverage at the top
    top = max(bars, key=lambda bar: bar.get_y())
    assert top.get_gid() == "bar-058"
    assert top.get_facecolor()[:3] == pytest.approx(
        tuple(int(chart_style.STATUS_COLOURS["behind"][i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    assert "Coverage by district: Bắc Kạn" in figure.axes[0].get_title()


def test_png_written_with_the_same_bytes(bac_kan_like: Path, tmp_path: Path, capsys) -> None:
    argv = [
        "progress",
        str(bac_kan_like),
        "--level",
        "district",
        "--as-of",
        "2020-04-08 17:00",
        "--target",
        "90",
        "--deadline",
        "2020-04-17",
        "--series",
        "-f",
        "csv",
        "-o",
        str(tmp_path / "series.csv"),
    ]
    assert run([*argv, "--chart", str(tmp_path / "a.png")]) == 0
    assert run([*argv, "--chart", str(tmp_path / "b.png")]) == 0
    first = (tmp_path / "a.png").read_bytes()
    assert first.startswith(b"\x89PNG\r\n\x1a\n") and len(first) > 20_000
    assert first == (tmp_path / "b.png").read_bytes()
    assert run([*argv, "--chart", str(tmp_path / "c.svg")]) == 0
    assert run([*argv, "--chart", str(tmp_path / "d.svg")]) == 0
    svg = (tmp_path / "c.svg").read_bytes()
    assert svg.startswith(b"<?xml") and svg == (tmp_path / "d.svg").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.png",
        "b.png",
        "c.svg",
        "d.svg",
        "export.csv",
        "series.csv",
    ]  # no temporary files left behind
