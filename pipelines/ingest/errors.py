"""The error raised when a whole extract file cannot be loaded."""

from __future__ import annotations


class ExtractFileError(Exception):
    """A file-level fault: the file as a whole cannot be trusted, so nothing in it is loaded and
    the previously loaded table is left exactly as it was.

    The message always starts with the file name, names the column where one is involved, and
    says what was expected, e.g. ``ssd_contacts.csv: required column 'cont_contact_date' is
    missing (expected columns: ...)``.
    """

    def __init__(self, file_name: str, problem: str, column: str | None = None):
        self.file_name = file_name
        self.column = column
        self.problem = problem
        self.sha256: str | None = None  # set by the loader when the file could be read
        super().__init__(f"{file_name}: {problem}")
