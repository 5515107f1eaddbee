"""CSV rows that used to be misread (issue 14): an unterminated quote, rows short of cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcoach.ingest.crm_csv import read_deals
from callcoach.ingest.csv_table import read_csv_table
from callcoach.ingest.errors import ParseError

HEADER = "deal_id,account,amount,stage\n"


def test_an_unterminated_quote_is_refused_at_its_line(tmp_path: Path) -> None:
    """The csv module reads the rest of the file into one cell and exits 0 without this."""
    path = tmp_path / "deals.csv"
    rows = [f"D-{n},Acme {n},1000,Prospecting\n" for n in range(20)]
    rows[4] = 'D-4,"Acme 4,1000,Prospecting\n'  # line 6 of the file
    path.write_text(HEADER + "".join(rows))
    with pytest.raises(ParseError) as caught:
        read_deals(path)
    assert caught.value.line == 6
    assert "a quote opened on this line is never closed" in caught.value.reason


def test_a_quoted_cell_over_several_lines_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + 'D-1,"Acme\nLogistics",1000,Won\nD-2,Globex,5,Lost\n')
    table = read_csv_table(path)
    assert [row.line for row in table] == [2, 4]
    assert table.rows[0].raw("account") is None  # columns not mapped: raw cells below
    assert table.rows[0].cells["account"] == "Acme\nLogistics"


def test_a_row_with_fewer_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "D-1,Acme,1000,Won\nD-2,Globex\nD-3,Initech,5,Lost\n")
    with pytest.raises(ParseError) as caught:
        read_deals(path)
    assert caught.value.line == 3
    assert "2 cells but the header has 4 columns" in caught.value.reason


def test_a_stray_quote_inside_a_cell_is_text(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + 'D-1,Acme 12" Pipes,1000,Won\n')
    assert read_csv_table(path).rows[0].cells["account"] == 'Acme 12" Pipes'
