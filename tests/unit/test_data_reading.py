"""Minute day files read in blocks: blank or carriage-return files do not upset the rows of the other days."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from backtest_core.engines.embedded.data import LeanDataFolder, SecurityKind
from backtest_core.errors import DataMissing
from backtest_core.models import Resolution


def day_file(folder: Path, day: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"{day}_trade.zip", "w") as archive:
        archive.writestr(f"{day}_abc_minute_trade.csv", text)


def test_blank_and_crlf_day_files(tmp_path: Path) -> None:
    folder = tmp_path / "equity" / "usa" / "minute" / "abc"
    day_file(
        folder,
        "20200106",
        "34260000,1000000,1010000,990000,1005000,100\r\n34320000,1005000,1005000,1005000,1005000,5\r\n",
    )
    day_file(folder, "20200107", "\n\n")
    day_file(folder, "20200108", "34260000,2000000,2000000,2000000,2000000,7\n\n")
    bars = LeanDataFolder(tmp_path).read_bars(
        SecurityKind.EQUITY, "usa", "abc", Resolution.MINUTE, "trade", date(2020, 1, 6), date(2020, 1, 8)
    )
    assert bars is not None
    assert bars.close.tolist() == [100.5, 100.5, 200.0] and bars.volume.tolist() == [100, 5, 7]
    # 09:31 New York (EST, UTC-5) is 14:31 UTC; each row is placed on its own file's day
    assert (bars.start_ns // 10**9).tolist() == [1578321060, 1578321120, 1578493860]


def test_a_corrupt_row_names_the_files_instead_of_reading_nan(tmp_path: Path) -> None:
    folder = tmp_path / "equity" / "usa" / "minute" / "abc"
    day_file(folder, "20200106", "34260000,1000000,1010000,990000,1005000,100\n")
    day_file(folder, "20200107", "34260000,1000000,1010000\n")
    with pytest.raises(DataMissing) as caught:
        LeanDataFolder(tmp_path).read_bars(
            SecurityKind.EQUITY, "usa", "abc", Resolution.MINUTE, "trade", date(2020, 1, 6), date(2020, 1, 8)
        )
    assert str(folder) in str(caught.value) and "2020-01-06 to 2020-01-08" in str(caught.value)
    assert "missing fields" in str(caught.value) and "Download" in caught.value.hint


def deflated_day_file(folder: Path, day: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}_trade.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{day}_abc_minute_trade.csv", text)
    return path


def read_abc(root: Path) -> object:
    return LeanDataFolder(root).read_bars(
        SecurityKind.EQUITY, "usa", "abc", Resolution.MINUTE, "trade", date(2020, 1, 6), date(2020, 1, 7)
    )


def test_deflated_day_files_read_as_stored_ones(tmp_path: Path) -> None:
    rows = "".join(
        f"{34260000 + 60000 * i},{1000000 + i},{1010000 + i},{990000 + i},{1005000 + i},{i}\n" for i in range(390)
    )
    deflated_day_file(tmp_path / "deflated" / "equity" / "usa" / "minute" / "abc", "20200106", rows)
    day_file(tmp_path / "stored" / "equity" / "usa" / "minute" / "abc", "20200106", rows)
    deflated, stored = read_abc(tmp_path / "deflated"), read_abc(tmp_path / "stored")
    assert deflated is not None and stored is not None and len(deflated) == 390
    assert deflated.close.tolist() == stored.close.tolist() and deflated.volume.tolist() == list(range(390))


@pytest.mark.parametrize("damage", ["deflate stream", "checksum"])
def test_a_damaged_day_file_is_named_not_skipped(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "equity" / "usa" / "minute" / "abc"
    day_file(folder, "20200106", "34260000,1000000,1010000,990000,1005000,100\n")
    rows = "".join(f"{34260000 + 60000 * i},1000000,1010000,990000,1005000,{i}\n" for i in range(390))
    path = deflated_day_file(folder, "20200107", rows)
    packed = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.infolist()[0]
    if damage == "checksum":  # the central directory's CRC-32 no longer matches the data
        directory = packed.rindex(b"PK\x01\x02")
        packed[directory + 16] ^= 0xFF
    else:  # a byte in the middle of the compressed data
        packed[member.header_offset + 30 + len(member.filename) + member.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(packed))
    with pytest.raises(DataMissing) as caught:
        read_abc(tmp_path)
    assert str(path) in str(caught.value) and "Download this file again" in caught.value.hint


def daily_file(root: Path, rows: list[str]) -> None:
    folder = root / "equity" / "usa" / "daily"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "abc.zip", "w") as archive:
        archive.writestr("abc.csv", "\n".join(rows) + "\n")


def read_daily_abc(root: Path, start: date, end: date) -> object:
    return LeanDataFolder(root).read_bars(SecurityKind.EQUITY, "usa", "abc", Resolution.DAILY, "trade", start, end)


def test_a_daily_read_of_a_window_holds_its_days_only_and_a_bad_line_elsewhere_still_fails(tmp_path: Path) -> None:
    days = ["20191230", "20191231", "20200102", "20200103", "20200106", "20200107"]
    daily_file(tmp_path, [f"{day} 00:00,{index}0000,{index}0000,{index}0000,{index}0000,{index}" for index, day in
                          enumerate(days, start=1)])  # fmt: skip
    bars = read_daily_abc(tmp_path, date(2020, 1, 2), date(2020, 1, 6))
    assert bars.volume.tolist() == [3, 4, 5]  # not the day before or after, kept by the cut's one-day margin
    assert read_daily_abc(tmp_path, date(2021, 1, 1), date(2021, 12, 31)).volume.tolist() == []

    daily_file(tmp_path, ["Date,Open,High,Low,Close,Volume", *[f"{day} 00:00,1,1,1,1,1" for day in days]])
    with pytest.raises(DataMissing) as caught:  # a header line is outside the window, but not a day
        read_daily_abc(tmp_path, date(2020, 1, 2), date(2020, 1, 6))
    assert "abc.zip" in str(caught.value) and "'Date,Open" in str(caught.value)
