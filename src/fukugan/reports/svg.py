"""Small server-side SVG charts for the briefing reports (no JavaScript: they must print).

Two charts cover the reports: horizontal bars (shares by country, losses by sector) and lines
(loss over time). The output is a self-contained ``<svg>`` element with explicit sizes, fonts
inherited from the document (so Japanese labels use the report's CJK font).

>>> svg = bar_chart([("China", 0.984), ("Japan", 0.004)], percent=True)
>>> svg.startswith("<svg") and "98.4%" in svg and "China" in svg
True
>>> "<polyline" in line_chart([(0, 0.0), (1, 2.0), (2, 1.0)], y_label="loss")
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

INK = "#1b2430"
INK_3 = "#6b7686"
GRID = "#dde2e8"
BAR = "#1f6fb2"
HIGHLIGHT = "#b23a2e"
SERIES = ("#1f6fb2", "#b23a2e", "#2e7d4f", "#a66a00")


def _num(v: float, percent: bool) -> str:
    """A value label: percentages with one decimal, else 3 significant figures.

    >>> _num(0.98425, True), _num(1234.5, False), _num(0.0123, False), _num(0.0, False)
    ('98.4%', '1,234', '0.0123', '0')
    """
    if percent:
        return f"{v:.1%}"
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def nice_ticks(hi: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``hi`` (about ``n`` of them).

    >>> nice_ticks(0.98), nice_ticks(0.11)
    ([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], [0.0, 0.025, 0.05, 0.075, 0.1, 0.125])
    """
    if hi <= 0 or not math.isfinite(hi):
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    k = math.ceil(hi / step - 1e-9)
    return [round(i * step, 12) for i in range(k + 1)]


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    percent: bool = False,
    highlight: set[str] | frozenset[str] = frozenset(),
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 170,
    title: str = "",
) -> str:
    """Horizontal bars, largest first as given; labels in ``highlight`` are drawn in red."""
    items = [(str(k), float(v)) for k, v in items if v is not None and math.isfinite(float(v))]
    hi = max([v for _, v in items] + [0.0])
    out, sx, top, x0 = _hbar_frame(
        len(items), hi, "bar-chart", title, width, bar_height, label_width, percent
    )
    for i, (label, v) in enumerate(items):
        y = top + i * bar_height
        colour = HIGHLIGHT if label in highlight else BAR
        weight = ' font-weight="700"' if label in highlight else ""
        w = max(0.0, sx(v) - x0)
        out.append(
            f'<text x="{x0 - 8}" y="{y + bar_height * 0.66:.1f}" text-anchor="end" '
            f'fill="{INK}"{weight}>{escape(label)}</text>'
            f'<rect x="{x0}" y="{y + 4}" width="{max(w, 0.8):.1f}" height="{bar_height - 8}" '
            f'fill="{colour}" rx="1.5"/>'
            f'<text x="{x0 + w + 5:.1f}" y="{y + bar_height * 0.66:.1f}" fill="{INK}"{weight}>'
            f"{escape(_num(v, percent))}</text>"
        )
    out.append(_hbar_axis(top, x0, len(items), bar_height))
    return "".join(out)


def line_chart(
    points: Sequence[tuple[float, float]] | dict[str, Sequence[tuple[float, float]]],
    *,
    width: int = 640,
    height: int = 240,
    x_label: str = "",
    y_label: str = "",
    title: str = "",
    markers: Sequence[tuple[float, str]] = (),
    band: tuple[str, Sequence[tuple[float, float, float]]] | None = None,
) -> str:
    """Lines of (x, y) points; a dict draws one line per series with a legend. ``markers``:
    vertical dashed lines at x with a short label (e.g. the peak day). ``band``: ``(label,
    [(x, low, high), ...])``, a shaded range under the lines (e.g. 5-95 % across samples).

    >>> svg = line_chart({"mean": [(1, 1.0), (2, 2.0)]}, band=("5-95 %", [(1, 0.5, 1.5),
    ...                  (2, 1.0, 3.0)]))
    >>> svg.count("<polygon") == 1 and "5-95 %" in svg
    True
    """
    series = points if isinstance(points, dict) else {"": points}
    series = {k: [(float(x), float(y)) for x, y in v] for k, v in series.items() if len(v)}
    band_pts = [(float(x), float(a), float(b)) for x, a, b in band[1]] if band else []
    legend = len(series) > 1 or bool(band_pts)
    left, right, top, bottom = 62, 16, 14 + (16 if legend else 0), 38
    pw, ph = width - left - right, height - top - bottom
    xs = [x for v in series.values() for x, _ in v] or [0.0, 1.0]
    ys = [y for v in series.values() for _, y in v] + [b for _, _, b in band_pts] or [0.0]
    x_lo, x_hi = min(xs), max(xs)
    if x_hi == x_lo:
        x_hi = x_lo + 1
    y_ticks = nice_ticks(max(ys + [0.0]), 4)
    y_hi = y_ticks[-1] or 1.0
    x_ticks = [x for x in nice_ticks(x_hi, 6) if x >= x_lo] if x_lo >= 0 else [x_lo, x_hi]

    def sx(x: float) -> float:
        return left + pw * (x - x_lo) / (x_hi - x_lo)

    def sy(y: float) -> float:
        return top + ph * (1 - max(0.0, y) / y_hi)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'class="chart line-chart" font-size="11">'
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for tv in y_ticks:
        y = sy(tv)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK_3}">'
            f"{escape(_num(tv, False))}</text>"
        )
    for tv in x_ticks:
        if tv > x_hi:
            continue
        x = sx(tv)
        out.append(
            f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" '
            f'stroke="{INK_3}"/><text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle" '
            f'fill="{INK_3}">{escape(_num(tv, False))}</text>'
        )
    for mx, mlabel in markers:
        if x_lo <= mx <= x_hi:
            x = sx(mx)
            out.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="{INK_3}" '
                f'stroke-dasharray="3,3"/><text x="{x + 4:.1f}" y="{top + 11}" fill="{INK_3}">'
                f"{escape(mlabel)}</text>"
            )
    if band_pts:
        upper = " ".join(f"{sx(x):.1f},{sy(b):.1f}" for x, _, b in band_pts)
        lower = " ".join(f"{sx(x):.1f},{sy(a):.1f}" for x, a, _ in reversed(band_pts))
        out.append(f'<polygon points="{upper} {lower}" fill="{SERIES[0]}" fill-opacity="0.16"/>')
        lx = left + len(series) * 150
        out.append(
            f'<rect x="{lx}" y="0" width="12" height="8" fill="{SERIES[0]}" fill-opacity="0.3"/>'
            f'<text x="{lx + 16}" y="8" fill="{INK}">{escape(band[0])}</text>'
        )
    for i, (name, pts) in enumerate(series.items()):
        colour = SERIES[i % len(SERIES)]
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        area = f"{sx(pts[0][0]):.1f},{sy(0):.1f} {coords} {sx(pts[-1][0]):.1f},{sy(0):.1f}"
        if len(series) == 1 and not band_pts:
            out.append(f'<polygon points="{area}" fill="{colour}" fill-opacity="0.12"/>')
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.8" '
            'stroke-linejoin="round"/>'
        )
        if name:
            lx = left + i * 150
            out.append(
                f'<rect x="{lx}" y="2" width="12" height="3" fill="{colour}"/>'
                f'<text x="{lx + 16}" y="8" fill="{INK}">{escape(name)}</text>'
            )
    out.append(
        f'<line x1="{left}" y1="{top + ph}" x2="{width - right}" y2="{top + ph}" '
        f'stroke="{INK_3}"/>'
        f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="{INK_3}">'
        f"{escape(x_label)}</text>"
        f'<text x="12" y="{top + ph / 2:.1f}" text-anchor="middle" fill="{INK_3}" '
        f'transform="rotate(-90 12 {top + ph / 2:.1f})">{escape(y_label)}</text></svg>'
    )
    return "".join(out)


def range_chart(
    items: Sequence[tuple[str, float, float, float, float]],
    *,
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 170,
    title: str = "",
) -> str:
    """Horizontal ranges, one per row ``(label, q05, q50, q95, mean)``: a light bar from the 5 %
    to the 95 % quantile, a tick at the median and a dot at the mean (its value written after).

    >>> svg = range_chart([("C24", 1.0, 2.0, 4.0, 2.5)], title="t")
    >>> svg.count("<circle") == 1 and ">2.5<" in svg
    True
    """
    rows = [
        (str(k), float(lo), float(mid), float(hi), float(m))
        for k, lo, mid, hi, m in items
        if all(v is not None and math.isfinite(float(v)) for v in (lo, mid, hi, m))
    ]
    hi_all = max([r[3] for r in rows] + [r[4] for r in rows] + [0.0])
    out, sx, top, x0 = _hbar_frame(
        len(rows), hi_all, "range-chart", title, width, bar_height, label_width
    )
    for i, (label, lo, mid, hi, mean) in enumerate(rows):
        y = top + i * bar_height
        cy = y + bar_height / 2
        a, b = sx(lo), sx(hi)
        out.append(
            f'<text x="{x0 - 8}" y="{y + bar_height * 0.66:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<rect x="{a:.1f}" y="{y + 6}" width="{max(b - a, 0.8):.1f}" '
            f'height="{bar_height - 12}" fill="{BAR}" fill-opacity="0.28" rx="1.5"/>'
            f'<line x1="{sx(mid):.1f}" y1="{y + 4}" x2="{sx(mid):.1f}" y2="{y + bar_height - 4}" '
            f'stroke="{BAR}" stroke-width="1.6"/>'
            f'<circle cx="{sx(mean):.1f}" cy="{cy:.1f}" r="3.2" fill="{HIGHLIGHT}"/>'
            f'<text x="{max(b, sx(mean)) + 6:.1f}" y="{y + bar_height * 0.66:.1f}" '
            f'fill="{INK}">{escape(_num(mean, False))}</text>'
        )
    out.append(_hbar_axis(top, x0, len(rows), bar_height))
    return "".join(out)


_HBAR_TOP, _HBAR_BOTTOM, _HBAR_VALUE_ROOM = 8, 26, 64


def _hbar_frame(
    n_rows: int,
    x_hi: float,
    css_class: str,
    title: str,
    width: int,
    bar_height: int,
    label_width: int,
    percent: bool = False,
) -> tuple[list[str], Callable[[float], float], int, int]:
    """The frame shared by the horizontal charts (:func:`bar_chart`, :func:`range_chart`):
    the ``<svg>`` opening, title and vertical grid lines with tick labels up to ``x_hi``.
    Returns the parts so far, the x scale, the top of the first row and the label edge."""
    top = _HBAR_TOP
    height = top + _HBAR_BOTTOM + max(1, n_rows) * bar_height
    ticks = nice_ticks(x_hi)
    x_max = ticks[-1] or 1.0
    plot_w = width - label_width - _HBAR_VALUE_ROOM
    x0 = label_width

    def sx(v: float) -> float:
        return x0 + plot_w * max(0.0, v) / x_max

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'class="chart {css_class}" font-size="11">'
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for tv in ticks:
        x = sx(tv)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - _HBAR_BOTTOM}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{height - _HBAR_BOTTOM + 15}" text-anchor="middle" '
            f'fill="{INK_3}">{escape(f"{tv:.0%}" if percent else _num(tv, False))}</text>'
        )
    return out, sx, top, x0


def _hbar_axis(top: int, x0: int, n_rows: int, bar_height: int) -> str:
    """The label-side axis line and the closing tag of a horizontal chart."""
    bottom_y = top + max(1, n_rows) * bar_height
    return f'<line x1="{x0}" y1="{top}" x2="{x0}" y2="{bottom_y}" stroke="{INK_3}"/></svg>'
