"""The HTML every section of the report is made of: escaped text and tables."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any


def e(value: Any) -> str:
    """``value`` as HTML text."""
    return html.escape(str(value))


def table(header: Sequence[str] | None, rows: Sequence[Sequence[Any]]) -> str:
    """A table of ``rows`` (None: an empty cell) under ``header``, if any."""
    head = "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead>" if header else ""
    body = "".join("<tr>" + "".join(f"<td>{'' if v is None else e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"
