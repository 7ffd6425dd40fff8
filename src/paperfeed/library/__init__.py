"""A reader's library: collections of papers with notes, exports to reference managers
(BibTeX, RIS, CSL-JSON, Markdown) and imports from them (issue 15)."""
