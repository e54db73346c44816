"""Reports for learners and tutors: the session sheet, the class report and the portfolio.

Rendered with Jinja2 from templates inside the package (so they ship in the wheel). HTML
templates are autoescaped; Markdown output escapes everything a learner or author typed with the
``md`` filter; CSV cells are neutralised so a spreadsheet never reads them as formulas. Only this
package (and the CLI, lazily) imports Jinja2; the core never does.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from simulator.report.views import (
    CELL_LABELS,
    CELL_SHORT,
    NO_GRADE,
    NO_GRADE_WHY,
    NOT_FINISHED,
    ClassView,
    Library,
    PortfolioView,
    ReportError,
    SheetView,
    class_view,
    class_view_of_learners,
    humanise,
    load_rubric,
    pick_rubric,
    pick_rubric_of,
    portfolio_view,
    sheet_view,
)

__all__ = [
    "PDF_HINT",
    "ClassView",
    "Library",
    "PdfUnavailable",
    "PortfolioView",
    "ReportError",
    "SheetView",
    "class_csv",
    "class_view",
    "class_view_of_learners",
    "environment",
    "load_rubric",
    "md_escape",
    "pdf_from_html",
    "pick_rubric",
    "pick_rubric_of",
    "portfolio_json",
    "portfolio_view",
    "render",
    "safe_cell",
    "sheet_view",
    "weasyprint_available",
]

PDF_HINT = (
    "PDF output needs WeasyPrint, an optional extra: pip install 'customer-roleplay[pdf]' "
    "(or use --format html and print the page to PDF from a browser)"
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_environment: Environment | None = None


class PdfUnavailable(ReportError):
    """WeasyPrint is not installed (or cannot load its system libraries)."""


# -- escaping ---------------------------------------------------------------------------------
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_LEADING = re.compile(r"^(?:([#=+-])|(\d+)([.)]))")


def md_escape(value: object) -> str:
    """Return text as one line of Markdown that cannot break a table, start a block or add HTML."""
    text = " ".join(str(value).split())  # a newline would end a table row
    text = _MD_ENTITY.sub("&amp;", text)
    text = _MD_INLINE.sub(r"\\\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return _MD_LEADING.sub(_escape_leading, text)


def _escape_leading(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)  # "1." starts a list; "1\." does not


def md_block(value: object) -> str:
    """Return multi-line text as escaped Markdown paragraphs."""
    paragraphs = re.split(r"\n\s*\n", str(value).strip())
    return "\n\n".join(md_escape(p) for p in paragraphs if p.strip())


def safe_cell(value: object) -> str:
    """Return a CSV cell a spreadsheet reads as text, never as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- the environment --------------------------------------------------------------------------
def environment() -> Environment:
    """Return the Jinja2 environment: package templates, HTML autoescaped, undefined is an error."""
    global _environment
    if _environment is None:
        env = Environment(
            loader=PackageLoader("simulator.report", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["md"] = md_escape
        env.filters["md_block"] = md_block
        env.filters["humanise"] = humanise
        env.globals["CELL_LABELS"] = CELL_LABELS
        env.globals["CELL_SHORT"] = CELL_SHORT
        env.globals["NO_GRADE"] = NO_GRADE
        env.globals["NO_GRADE_WHY"] = NO_GRADE_WHY
        env.globals["NOT_FINISHED"] = NOT_FINISHED
        _environment = env
    return _environment


def render(template: str, view: object) -> str:
    """Render one template (``sheet.html``, ``portfolio.md``...) with a view."""
    return environment().get_template(template).render(v=view)


# -- other formats ----------------------------------------------------------------------------
def class_csv(view: ClassView) -> str:
    """Return the class grid as CSV for a gradebook, every cell neutralised.

    Each criterion's cell is the unit-level verdict the portfolio gives, with the sessions that
    achieved it ("Not yet (1 of 2 sessions)"); the last column lists the tutor's decisions.
    """
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    codes = [code for code, _ in view.criteria]
    head = (
        "Learner", "Learner ID", "Group", "Attempts", "Unit grade so far", "Latest grade",
        "Best grade", "Sessions with a serious error", *codes, "Tutor decisions",
    )  # fmt: skip
    writer.writerow([safe_cell(h) for h in head])
    for row in view.rows:
        cells = {cell.code: cell for cell in row.cells}
        decided = "; ".join(
            f"{d.session} {d.code}: {d.verdict_label}, by {d.by}, {d.at}"
            + (f" ({d.note})" if d.note else "")
            for d in row.decisions
        )
        writer.writerow(
            [
                safe_cell(x)
                for x in (
                    row.name,
                    row.learner_ref,
                    row.group,
                    row.attempts,
                    row.unit,
                    row.latest,
                    row.best,
                    row.serious,
                    *(cells[c].text for c in codes),
                    decided,
                )
            ]
        )
    return out.getvalue()


def portfolio_json(view: PortfolioView) -> str:
    """Return the portfolio view as JSON."""
    return json.dumps(view.data, indent=2, ensure_ascii=False) + "\n"


def weasyprint_available() -> bool:
    """Return True if WeasyPrint can be imported."""
    try:
        importlib.import_module("weasyprint")
    except (ImportError, OSError):
        return False
    return True


def pdf_from_html(html: str) -> bytes:
    """Return the PDF of an HTML report, printed by WeasyPrint; raise PdfUnavailable without it."""
    try:
        weasyprint: Any = importlib.import_module("weasyprint")
    except (ImportError, OSError) as exc:  # OSError: installed, but its system libraries are not
        raise PdfUnavailable(PDF_HINT) from exc
    data = weasyprint.HTML(string=html).write_pdf()
    return bytes(data)
