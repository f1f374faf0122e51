"""Briefing reports (HTML and PDF) for a commodity and for a scenario run.

:func:`commodity.commodity_briefing` and :func:`run.run_briefing` build the report as a dict from
the services; :mod:`render` turns it into HTML or a PDF (WeasyPrint, Japanese via Noto Sans CJK);
:mod:`svg` draws the charts server-side.
"""
