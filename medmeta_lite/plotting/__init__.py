"""Figures for the workbook: pure functions that take data and return a matplotlib ``Figure``.

``style`` holds the shared look; each other module serves one family of notebooks.
"""
