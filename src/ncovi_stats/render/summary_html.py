"""The bundle's summary.html: self-contained (styles inline, charts as data URIs), the same
sections as summary.md; every data cell escaped as HTML text."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

from ncovi_stats.render import labels
from ncovi_stats.render.bundle_view import Chart, Context, Table
from ncovi_stats.render.headline import Headline, headline_text
from ncovi_stats.render.summary import (
    TEXTS,
    behind_lines,
    bundle_title,
    footer,
    summary_fields,
    table_notes,
    table_rows,
    totals_cells,
)

CSS = """
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;margin:2em;color:#1b1b1b;max-width:70em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
p.headline{font-size:1.15em;line-height:1.5;background:#f3f6fa;border-left:4px solid #2f6fb0;padding:.6em 1em}
table{border-collapse:collapse;margin:.5em 0;font-size:.92em}
th,td{border:1px solid #d0d0d0;padding:.25em .6em}th{background:#eef1f4;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:bold;background:#f7f7f7}
td.green{background:#dff0d8}td.yellow{background:#fcf4cf}td.red{background:#f6d6d5}
ul.behind li{margin:.2em 0}img{max-width:100%;border:1px solid #ddd;margin:.5em 0}
footer{margin-top:2em;color:#666;font-size:.85em}p.note{color:#555;font-size:.88em}
""".strip()


def _html_table(table: Table, lang: str) -> str:
    e = html.escape
    fields = summary_fields(table)
    out = ["<table>", "<thead><tr>"]
    out += [f"<th>{e(labels.label(f, lang))}</th>" for f in fields]
    out.append("</tr></thead><tbody>")
    numeric = {f for f in fields if table.records.schema[f].is_numeric()}
    for cells, style in table_rows(table, fields, lang):
        out.append("<tr>")
        for name, cell in zip(fields, cells, strict=True):
            classes = []
            if name in numeric:
                classes.append("n")
            if name == "coverage_pct" and style:
                classes.append(style)
            attr = f' class="{" ".join(classes)}"' if classes else ""
            out.append(f"<td{attr}>{e(cell)}</td>")
        out.append("</tr>")
    totals = totals_cells(table, fields, lang)
    if totals is not None:
        out.append('<tr class="total">')
        out += [
            ('<td class="n">' if f in numeric else "<td>") + e(c) + "</td>"
            for f, c in zip(fields, totals, strict=True)
        ]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def summary_html(context: Context, headline: Headline, charts: Sequence[Chart]) -> bytes:
    lang = context.options.lang
    e = html.escape
    title = bundle_title(context, lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{e(title)}</h1>",
        f'<p class="headline">{e(headline_text(headline, lang))}</p>',
    ]
    behind = behind_lines(context, lang)
    if behind is not None:
        parts.append(f"<h2>{e(TEXTS['behind'][lang])}</h2>")
        if behind:
            parts.append(
                '<ul class="behind">' + "".join(f"<li>{e(x)}</li>" for x in behind) + "</ul>"
            )
        else:
            parts.append(f"<p>{e(TEXTS['none_behind'][lang])}</p>")
    if context.changes is not None:  # since the previous bundle in the same --out
        from ncovi_stats.render.changes import changes_section

        title, lines, tables = changes_section(context.changes, lang)
        parts.append(f"<h2>{e(title)}</h2>")
        parts.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in lines) + "</ul>")
        for heading, header, rows, note in tables:
            parts.append(f"<h3>{e(heading)}</h3><table><thead><tr>")
            parts.append("".join(f"<th>{e(cell)}</th>" for cell in header) + "</tr></thead><tbody>")
            for row in rows:
                cells = [f"<td>{e(row[0])}</td>"] + [f'<td class="n">{e(c)}</td>' for c in row[1:]]
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</tbody></table>")
            if note:
                parts.append(f'<p class="note">{e(note)}</p>')
    if charts:
        parts.append(f"<h2>{e(TEXTS['charts'][lang])}</h2>")
        for chart in charts:
            data = base64.b64encode(chart.png).decode("ascii")
            parts.append(f'<img alt="{e(chart.title)}" src="data:image/png;base64,{data}">')
    for table in context.tables.values():
        parts.append(f"<h2>{e(TEXTS.get(table.name, {}).get(lang, table.name))}</h2>")
        parts.append(_html_table(table, lang))
        parts += [f'<p class="note">{e(note)}</p>' for note in table_notes(table, lang)]
    parts.append(f"<footer>{e(footer(context, lang))}</footer>")
    parts.append("</main></body></html>")
    return ("\n".join(parts) + "\n").encode()
