"""`review export`: the review as Markdown, HTML or PDF.

The PDF is written by ReportLab (BSD licence, pure Python) with the Bitstream Vera fonts it
ships, so quotes in any Latin script print without any system font or package.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from pathlib import Path

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.services.reviews.common import ReviewError
from callcoach.services.reviews.document import Block, review_document
from callcoach.services.reviews.views import show_review
from callcoach.store.uow import Store

FORMATS = ("md", "html", "pdf")


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            out += ["#" * block.level + " " + block.text, ""]
        elif block.kind == "paragraph":
            out += [block.text, ""]
        elif block.kind == "bullets":
            out += [f"- {item}" for item in block.items] + [""]
        elif block.kind == "table" and block.rows:
            header, *rows = block.rows
            out.append("| " + " | ".join(_cell(h) for h in header) + " |")
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.45;"
    "color:#1d2430}table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid "
    "#ccd;padding:.25rem .5rem;vertical-align:top;text-align:left}th{background:#eef}"
    "h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #dde}"
)


def to_html(blocks: Sequence[Block]) -> str:
    e = html.escape
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">']
    title = next((b.text for b in blocks if b.kind == "heading"), "Performance review")
    out += [f"<title>{e(title)}</title>", f"<style>{STYLE}</style></head><body>"]
    for block in blocks:
        if block.kind == "heading":
            out.append(f"<h{block.level}>{e(block.text)}</h{block.level}>")
        elif block.kind == "paragraph":
            out.append(f"<p>{e(block.text)}</p>")
        elif block.kind == "bullets":
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in block.items) + "</ul>")
        elif block.kind == "table" and block.rows:
            header, *rows = block.rows
            out.append(
                "<table><thead><tr>"
                + "".join(f"<th>{e(h)}</th>" for h in header)
                + "</tr></thead><tbody>"
                + "".join(
                    "<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in rows
                )
                + "</tbody></table>"
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _fonts() -> tuple[str, str]:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(reportlab.__file__).resolve().parent / "fonts"
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", str(folder / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("VeraBd", str(folder / "VeraBd.ttf")))
    return "Vera", "VeraBd"


def to_pdf(blocks: Sequence[Block]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        ListFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, spaceAfter=0)
    heads = {
        1: ParagraphStyle("h1", parent=body, fontName=bold, fontSize=16, leading=20, spaceAfter=8),
        2: ParagraphStyle(
            "h2", parent=body, fontName=bold, fontSize=12, leading=15, spaceBefore=10
        ),
        3: ParagraphStyle(
            "h3", parent=body, fontName=bold, fontSize=10.5, leading=13, spaceBefore=6
        ),
    }
    e = html.escape
    story: list[object] = []
    for block in blocks:
        if block.kind == "heading":
            story.append(Paragraph(e(block.text), heads.get(block.level, heads[3])))
        elif block.kind == "paragraph":
            story.append(Paragraph(e(block.text), body))
        elif block.kind == "bullets":
            story.append(
                ListFlowable(
                    [Paragraph(e(i), body) for i in block.items],
                    bulletType="bullet",
                    start="•",
                    bulletFontName=regular,
                    leftIndent=12,
                )
            )
        elif block.kind == "table" and block.rows:
            data = [[Paragraph(e(v), small) for v in row] for row in block.rows]
            table = Table(data, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#aab")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [table, Spacer(1, 6)]
    buffer = io.BytesIO()
    title = next((b.text for b in blocks if b.kind == "heading"), "Performance review")
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        title=title,
        author="callcoach",
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
    ).build(story)
    return buffer.getvalue()


def export_review(store: Store, review_id: int, fmt: str, viewer: Viewer = SYSTEM) -> bytes:
    """The review in `fmt` (md, html or pdf) as the viewer may read it."""
    if fmt not in FORMATS:
        raise ReviewError(f"unknown export format {fmt!r}: use md, html or pdf")
    view = show_review(store, review_id, viewer)
    if view.pack is None:
        raise ReviewError(view.message or f"review {review_id} cannot be read yet")
    blocks = review_document(view)
    if fmt == "md":
        return to_markdown(blocks).encode()
    if fmt == "html":
        return to_html(blocks).encode()
    return to_pdf(blocks)
