"""External signals of papers: Hugging Face daily papers, code repositories and their GitHub
stars, Semantic Scholar (TL;DR, citations, venue), Papers with Code.

``models`` holds them, ``store`` is the one writer, ``http`` the polite client every source
uses, ``sources/`` one module a service, ``fetching`` runs a source under its ``SourceState``.
"""
