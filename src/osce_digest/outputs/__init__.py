"""Outputs: generated files beside the HTML pages (feeds, sitemap, JSON API).

Part of the build phase. Each module is a pure function from a loaded
:class:`~osce_digest.model.Site` to :class:`~osce_digest.pages.Asset` values; nothing here
reads files, looks at the clock or writes anything.
"""
