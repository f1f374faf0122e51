"""Briefings as HTML (for the browser) and PDF (WeasyPrint), from one template per kind.

Japanese needs a CJK font in the PDF: the style sheet declares ``@font-face`` rules pointing at
Debian's Noto Sans CJK files (``fonts-noto-cjk``) when they are present, and names the family
"Noto Sans CJK JP" so fontconfig finds it anywhere else it is installed. Charts are inline SVG
(no JavaScript), so the PDF and the page show the same figures.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/opentype/noto-cjk"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/local/share/fonts"),
)


@lru_cache(maxsize=1)
def cjk_fonts() -> dict[str, Path]:
    """The Noto Sans CJK files found on this machine: ``{"400": path, "700": path}``.

    Looks in Debian's font directories, then asks fontconfig (``fc-match``); empty when
    neither finds one (the PDF then shows Japanese as boxes: install ``fonts-noto-cjk``).
    """
    found: dict[str, Path] = {}
    for weight, stem in (("400", "NotoSansCJK-Regular"), ("700", "NotoSansCJK-Bold")):
        for d in FONT_DIRS:
            for ext in (".ttc", ".otf"):
                p = d / f"{stem}{ext}"
                if p.is_file() and weight not in found:
                    found[weight] = p
    if "400" not in found and shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{file}", "Noto Sans CJK JP"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and "CJK" in out and Path(out).is_file():
            found["400"] = Path(out)
    return found


def font_faces() -> str:
    """``@font-face`` rules for the CJK font files (empty when none is installed)."""
    rules = []
    for weight, path in sorted(cjk_fonts().items()):
        rules.append(
            '@font-face { font-family: "fukugan-cjk"; '
            f'src: url("{path.as_uri()}"); font-weight: {weight}; }}'
        )
    return "\n".join(rules)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    from fukugan.app.format import fmt
    from fukugan.i18n import unit_name

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["unit"] = unit_name  # {{ s.unit | unit(lang) }}
    return env


def render_html(
    doc: dict[str, Any],
    *,
    pdf: bool = False,
    links: dict[str, str] | None = None,
) -> str:
    """The briefing ``doc`` (from :func:`~fukugan.reports.commodity.commodity_briefing` or
    :func:`~fukugan.reports.run.run_briefing`) as an HTML document. ``pdf``: for WeasyPrint
    (font files referenced); ``links``: on-screen links (``pdf``, ``back``, ``other_lang``)."""
    from fukugan import __version__
    from fukugan.i18n import t
    from fukugan.reports import text

    lang = doc["lang"]
    template = _env().get_template(f"{doc['kind']}.html")
    return template.render(
        r=doc,
        lang=lang,
        L=lambda key, **kw: text.label(key, lang, **kw),
        _=lambda key, **kw: t(key, lang, **kw),
        pdf=pdf,
        links=links or {},
        font_faces=font_faces() if pdf else "",
        favicon=_favicon(),
        version=__version__,
    )


@lru_cache(maxsize=1)
def _favicon() -> str:
    """The app's icon as a data URI: a briefing opened from a file or the server asks for
    nothing more (no /favicon.ico request)."""
    from urllib.parse import quote

    svg = (HERE.parent / "web" / "static" / "favicon.svg").read_text(encoding="utf-8")
    return "data:image/svg+xml," + quote(svg.strip())


def render_pdf(doc: dict[str, Any]) -> bytes:
    """The briefing ``doc`` as PDF bytes (A4)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = render_html(doc, pdf=True)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def write(doc: dict[str, Any], out: str | Path) -> Path:
    """Write ``doc`` to ``out``: PDF when it ends in ``.pdf``, else HTML."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render_pdf(doc))
    else:
        out.write_text(render_html(doc), encoding="utf-8")
    return out
