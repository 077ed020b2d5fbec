"""Rows as a pandas DataFrame when pandas is there, as a list of dicts otherwise."""

from __future__ import annotations

from typing import Any, Iterable, Sequence


def pandas_available() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def to_table(rows: Iterable[dict[str, Any]], as_frame: bool | None = None, columns: Sequence[str] | None = None) -> Any:
    """``as_frame``: None (a DataFrame if pandas imports, else the list), True (a DataFrame, or ImportError), False (the list)."""
    records = list(rows)
    if as_frame is False:
        return records
    try:
        import pandas
    except ImportError:
        if as_frame:
            raise ImportError("as_frame=True needs pandas (pip install pandas); as_frame=None returns lists without it") from None
        return records
    return pandas.DataFrame.from_records(records, columns=list(columns) if columns is not None else None)
