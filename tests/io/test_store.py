"""The incremental store (docs/store.md): same figures as the raw exports, all-or-nothing ingests."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.api.request import Request
from ncovi_stats.api.sample import generate_declarations
from ncovi_stats.cli.app import run
from ncovi_stats.errors import BadInputError, LockedError
from ncovi_stats.io.keyfile import generate_key_file
from ncovi_stats.io.store.commit import store_lock
from ncovi_stats.io.store.ingest import ingest_exports
from ncovi_stats.io.store.layout import STAGES, open_store, scan_first_flags
from tests.support import NOW, request

CUTOFFS = (
    datetime(2020, 3, 25, 0, 0),
    datetime(2020, 4, 3, 12, 0),
    datetime(2020, 4, 8, 17, 0),
    None,
)
SPLIT = datetime(2020, 4, 6, 0, 0)


def tree(root: Path) -> list[str]:
    """Every folder and file under `root`, as relative paths (folders end with /)."""
    entries = []
    for folder, subfolders, files in os.walk(root):
        base = Path(folder).relative_to(root)
        entries += [f"{(base / name).as_posix()}/" for name in subfolders]
        entries += [(base / name).as_posix() for name in files]
    return sorted(entries)


def figures(req: Request, level: str = "district") -> pl.DataFrame:
    return coverage_report(req, level=level).records


def from_store(store: Path, as_of: datetime | None = None, **kwargs) -> Request:
    return Request(inputs=(), now=NOW, as_of=as_of, store=store, **kwargs)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Bắc Kạn (06, a leading zero) and Hậu Giang: exports before/after SPLIT, and cumulative.

    Exact ties: every time is cut to the hour, so a person's rows often share `declared_at`,
    and the ids are dropped from a tenth of the rows.
    """
    folder = tmp_path_factory.mktemp("history")
    frame = (
        generate_declarations(["06", "93"], persons=4_000, seed=7)
        .with_columns(pl.col("declared_at").dt.truncate("1h"))
        .with_columns(
            pl.when(pl.int_range(pl.len()) % 10 == 0)
            .then(None)
            .otherwise(pl.col("declaration_id"))
            .alias("declaration_id")
        )
    )
    early = frame.filter(pl.col("declared_at") < SPLIT)
    late = frame.filter(pl.col("declared_at") >= SPLIT)
    paths = {
        "early": folder / "early.csv",
        "late": folder / "late.parquet",
        "cumulative": folder / "cumulative.csv",
        "all": folder / "all.parquet",
    }
    early.write_csv(paths["early"])
    late.write_parquet(paths["late"])
    frame.write_csv(paths["cumulative"])
    frame.write_parquet(paths["all"])
    return paths


@pytest.mark.parametrize("as_of", CUTOFFS)
@pytest.mark.parametrize("level", ["province", "district"])
def test_store_gives_the_figures_of_the_raw_exports(
    tmp_path: Path, history: dict[str, Path], as_of: datetime | None, level: str
) -> None:
    store = tmp_path / "store"
    # Later rows first: persons stored from `late` get earlier first rows from `early`.
    ingest_exports(store, [history["late"]], now=NOW)
    ingest_exports(store, [history["early"]], now=NOW)
    raw = coverage_report(request(history["all"], as_of=as_of), level=level)
    stored = coverage_report(from_store(store, as_of), level=level)
    assert stored.records.equals(raw.records)
    assert stored.cutoff == raw.cutoff
    assert stored.meta["rows"] == raw.meta["rows"]
    assert stored.meta["persons_counted_in_scope"] == raw.meta["persons_counted_in_scope"]
    assert stored.meta["store"]["commits"] == 2
    assert any(entry.superseding for entry in open_store(store).persons)


def test_cumulative_export_adds_only_its_new_rows(tmp_path: Path, history: dict[str, Path]) -> None:
    store = tmp_path / "store"
    first = ingest_exports(store, [history["early"]], now=NOW)
    second = ingest_exports(store, [history["cumulative"]], now=NOW)
    early = pl.read_csv(history["early"]).height
    total = pl.read_parquet(history["all"]).height
    assert first.rows_added == early
    (source,) = second.sources
    assert (source.read, source.accepted, source.added) == (total, total, total - early)
    assert second.rows_added == total - early
    assert open_store(store).rows == total


def test_reingesting_the_same_file_is_a_no_op(tmp_path: Path, history: dict[str, Path]) -> None:
    store = tmp_path / "store"
    ingest_exports(store, [history["early"]], now=NOW)
    before = tree(store)
    again = ingest_exports(store, [history["early"]], now=NOW)
    assert again.commit is None
    assert again.rows_added == 0
    assert [source.skipped for source in again.sources] == [True]
    assert tree(store) == before


def test_rows_repeated_and_rejected_are_not_stored(tmp_path: Path, export) -> None:
    rows = [
        {"declared_at": "2020-04-01 08:00", "person_key": "a", "province_code": "93"},
        {"declared_at": "2020-04-01 08:00", "person_key": "a", "province_code": "93"},  # repeat
        {"declared_at": "2020-04-01 09:00", "person_key": "b", "province_code": "93",
         "declaration_id": "X1"},
        {"declared_at": "2020-04-02 09:00", "person_key": "b", "province_code": "93",
         "declaration_id": "X1"},  # same id
        {"declared_at": "2020-04-01 10:00", "person_key": "c", "province_code": "99"},  # unknown
        {"declared_at": "not a time", "person_key": "d", "province_code": "93"},
    ]  # fmt: skip
    store = tmp_path / "store"
    report = ingest_exports(store, [export(rows)], now=NOW)
    (source,) = report.sources
    assert (source.read, source.accepted, source.added) == (6, 4, 2)
    assert source.rejected_by_reason == {"unknown-unit": 1, "unparseable-time": 1}
    state = open_store(store)
    assert state.rows == 2
    counts = coverage_report(from_store(store), level="province").meta["rows"]
    assert (counts["read"], counts["accepted"], counts["rejected"]) == (4, 2, 2)


def test_only_canonical_non_personal_columns_are_stored(tmp_path: Path, export) -> None:
    key_file = tmp_path / "k.key"
    generate_key_file(key_file)
    from ncovi_stats.io.keyfile import load_key

    rows = [
        {"declared_at": "2020-04-01 08:00", "person_id": "079 123 456", "full_name": "Lê Thị B",
         "phone": "0912345678", "birth_year": "1980", "sex": "Nữ", "province_code": "6"},
    ]  # fmt: skip
    store = tmp_path / "store"
    ingest_exports(store, [export(rows)], now=NOW, key=load_key(key_file))
    (path,) = (store / "declarations").rglob("*.parquet")
    assert path.parent.parent.name == "province_code=06"
    stored = pl.read_parquet(path, hive_partitioning=False)
    assert set(stored.columns) == {
        "declared_at", "person_key", "district_code", "ward_code", "declared_by", "channel",
        "risk_flag", "verified_at", "declaration_id", "ward_unresolved", "source_file",
    }  # fmt: skip
    everything = b"".join(p.read_bytes() for p in store.rglob("*") if p.is_file())
    for personal in (b"079123456", b"079 123 456", b"0912345678", "Lê Thị B".encode()):
        assert personal not in everything
    assert b"_ward_number" not in everything  # the read's internal code numbers stay in the read
    assert stored["source_file"].to_list() == ["export.csv"]  # the name, not the path


def test_folders_0700_and_files_0600(tmp_path: Path, history: dict[str, Path]) -> None:
    store = tmp_path / "store"
    ingest_exports(store, [history["early"]], now=NOW)
    modes = {
        path.relative_to(store).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in [store, *store.rglob("*")]
    }
    assert {mode for name, mode in modes.items() if (store / name).is_dir()} == {0o700}
    assert {mode for name, mode in modes.items() if (store / name).is_file()} == {0o600}


class Killed(Exception):
    pass


@pytest.mark.parametrize("stage", [stage for stage in STAGES if stage != "committed"])
def test_an_ingest_stopped_at_any_stage_leaves_the_store_as_it_was(
    tmp_path: Path, history: dict[str, Path], stage: str
) -> None:
    store = tmp_path / "store"
    ingest_exports(store, [history["late"]], now=NOW)
    before_tree, before = tree(store), figures(from_store(store))

    def stop(reached: str) -> None:
        if reached == stage:
            raise Killed(stage)

    with pytest.raises(Killed):
        ingest_exports(store, [history["early"]], now=NOW, on_stage=stop)
    assert tree(store) == before_tree
    assert figures(from_store(store)).equals(before)
    # and the next ingest goes through
    ingest_exports(store, [history["early"]], now=NOW)
    assert figures(from_store(store)).equals(figures(request(history["all"])))


def test_an_ingest_stopped_after_its_commit_has_added_its_rows(
    tmp_path: Path, history: dict[str, Path]
) -> None:
    store = tmp_path / "store"

    def stop(reached: str) -> None:
        if reached == "committed":
            raise Killed(reached)

    with pytest.raises(Killed):
        ingest_exports(store, [history["all"]], now=NOW, on_stage=stop)
    assert figures(from_store(store)).equals(figures(request(history["all"])))


KILLER = """
import os, signal, sys
from datetime import datetime
from ncovi_stats.io.store.ingest import ingest_exports

def kill(stage):
    if stage == sys.argv[3]:
        os.kill(os.getpid(), signal.SIGKILL)

ingest_exports(sys.argv[1], [sys.argv[2]], now=datetime(2026, 1, 1, 12), on_stage=kill)
"""


@pytest.mark.parametrize("stage", ["publishing", "published"])
def test_sigkill_during_publishing_leaves_the_store_as_it_was(
    tmp_path: Path, history: dict[str, Path], stage: str
) -> None:
    store = tmp_path / "store"
    ingest_exports(store, [history["late"]], now=NOW)
    before_tree, before = tree(store), figures(from_store(store))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLER), str(store), str(history["early"]), stage],
        env=env,
        capture_output=True,
    )
    assert done.returncode == -9
    assert tree(store) != before_tree  # files were left behind ...
    assert figures(from_store(store)).equals(before)  # ... and no reader sees them
    # the next ingest removes them first
    ingest_exports(store, [history["late"]], now=NOW)  # already ingested: a no-op
    assert tree(store) == before_tree
    ingest_exports(store, [history["early"]], now=NOW)
    assert figures(from_store(store)).equals(figures(request(history["all"])))


def test_another_key_is_refused(tmp_path: Path, export, capsys: pytest.CaptureFixture) -> None:
    rows = [{"declared_at": "2020-04-01 08:00", "person_id": "0791234", "province_code": "93"}]
    first, second = tmp_path / "a.key", tmp_path / "b.key"
    generate_key_file(first)
    generate_key_file(second)
    store = tmp_path / "store"
    path = export(rows)
    assert run(["ingest", str(path), "--store", str(store), "--key-file", str(first)]) == 0
    capsys.readouterr()
    other = export(rows, name="other.csv")
    code = run(["ingest", str(other), "--store", str(store), "--key-file", str(second)])
    err = capsys.readouterr().err
    assert code == 3
    assert "the store was made with key fingerprint" in err
    assert "use the key file the store was made with" in err
    assert open_store(store).commits == 1
    code = run(["coverage", "--store", str(store), "--key-file", str(second)])
    assert code == 3
    assert run(["coverage", "--store", str(store), "--key-file", str(first)]) == 0


def test_a_concurrent_ingest_exits_6(
    tmp_path: Path, history: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    store = tmp_path / "store"
    ingest_exports(store, [history["early"]], now=NOW)
    with store_lock(store):
        with pytest.raises(LockedError):
            ingest_exports(store, [history["late"]], now=NOW)
        code = run(["ingest", str(history["late"]), "--store", str(store)])
    assert code == 6
    assert "another ingest is writing to this store" in capsys.readouterr().err
    assert open_store(store).commits == 1


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path, history: dict[str, Path]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BadInputError, match="is not an ncovi-stats store and not empty"):
        ingest_exports(tmp_path, [history["early"]], now=NOW)
    with pytest.raises(BadInputError, match="is not an ncovi-stats store"):
        coverage_report(from_store(tmp_path / "missing"), level="province")


def test_cli_store_and_raw_exports_print_the_same_json(
    tmp_path: Path, history: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    store = tmp_path / "store"
    assert run(["ingest", str(history["early"]), str(history["late"]), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "commit 1:" in out
    as_of = ["--as-of", "2020-04-08 17:00", "-l", "district", "-f", "json"]
    assert run(["coverage", "--store", str(store), *as_of]) == 0
    via_store = json.loads(capsys.readouterr().out)
    assert run(["coverage", str(history["all"]), *as_of]) == 0
    via_raw = json.loads(capsys.readouterr().out)
    assert via_store["records"] == via_raw["records"]
    assert via_store["meta"]["rows"] == via_raw["meta"]["rows"]
    assert run(["coverage", str(history["all"]), "--store", str(store)]) == 2


def test_duckdb_reads_the_store_as_it_is(tmp_path: Path, history: dict[str, Path]) -> None:
    """docs/store.md's DuckDB query: hive partitions as strings, persons counted once."""
    store = tmp_path / "store"
    ingest_exports(store, [history["late"]], now=NOW)
    ingest_exports(store, [history["early"]], now=NOW)
    cutoff = datetime(2020, 4, 8, 17, 0)
    query = """
        WITH ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY person_key
                ORDER BY declared_at, ward_code NULLS LAST, district_code NULLS LAST,
                         province_code NULLS LAST,
                         CASE declared_by WHEN 'self' THEN 0 WHEN 'household' THEN 1 END NULLS LAST,
                         CASE channel WHEN 'app' THEN 0 WHEN 'web' THEN 1 WHEN 'facility' THEN 2
                              WHEN 'collaborator' THEN 3 WHEN 'other' THEN 4 END NULLS LAST,
                         declaration_id NULLS LAST) AS n
            FROM read_parquet($files, hive_partitioning = true,
                              hive_types = {'province_code': VARCHAR, 'declared_date': VARCHAR})
            WHERE declared_at <= $cutoff
        )
        SELECT province_code, count(*) FROM ranked WHERE n = 1 GROUP BY 1 ORDER BY 1
    """
    files = str(store / "declarations" / "*" / "*" / "*.parquet")
    counted = duckdb.execute(query, {"files": files, "cutoff": cutoff}).fetchall()
    ours = figures(from_store(store, cutoff), level="province")
    assert counted == sorted(ours.select("province_code", "persons_counted").iter_rows())
    assert counted[0][0] == "06"


@pytest.mark.parametrize("as_of", CUTOFFS)
def test_first_flags_match_the_raw_rows(
    tmp_path: Path, history: dict[str, Path], as_of: datetime | None
) -> None:
    store = tmp_path / "store"
    ingest_exports(store, [history["late"]], now=NOW)
    ingest_exports(store, [history["early"]], now=NOW)
    raw = pl.scan_parquet(history["all"]).filter(pl.col("risk_flag"))
    if as_of is not None:
        raw = raw.filter(pl.col("declared_at") <= as_of)
    expected = raw.group_by("person_key").agg(pl.col("declared_at").min().alias("first_flag_at"))
    flags = scan_first_flags(open_store(store), as_of).collect()
    assert flags.sort("person_key").equals(expected.collect().sort("person_key"))
    assert flags.height >= (10 if as_of is None else 1)


def test_a_store_without_commits_takes_the_key_of_its_first_commit(tmp_path: Path, export) -> None:
    from ncovi_stats.io.keyfile import fingerprint, load_key

    first, second = tmp_path / "a.key", tmp_path / "b.key"
    generate_key_file(first)
    generate_key_file(second)
    store = tmp_path / "store"
    all_rejected = export([{"declared_at": "soon", "person_id": "1", "province_code": "93"}])
    with pytest.raises(BadInputError, match="all 1 rows were rejected"):
        ingest_exports(store, [all_rejected], now=NOW, key=load_key(first))
    assert open_store(store).commits == 0
    good = export([{"declared_at": "2020-04-01 08:00", "person_id": "1", "province_code": "93"}])
    ingest_exports(store, [good], now=NOW, key=load_key(second))
    assert open_store(store).key_fingerprint == fingerprint(load_key(second))
