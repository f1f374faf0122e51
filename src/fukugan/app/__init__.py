"""The application façade every interface uses: :class:`~fukugan.app.platform.Platform` (the
services over one store, with per-process caches), the presentation of services' reports
(:mod:`fukugan.app.present`) and the one number formatter (:mod:`fukugan.app.format`) shared by
the CLI, the web pages and the briefings."""
