"""osce-digest: a static site generator for diplomatic encounter reports."""

__version__ = "0.1.0"
