"""The lexical index's analyzers: names folded but not stemmed, text stemmed too."""

from __future__ import annotations

from paperfeed.search.analyzers import name_parts, text_analyzer


def test_name_parts_fold_case_and_accents_but_keep_the_word():
    assert name_parts("Jürgen SCHMIDHUBER") == ["jurgen", "schmidhuber"]
    assert name_parts("Ada Lovelace-Byron") == ["ada", "lovelace", "byron"]
    assert name_parts("Networks") == ["networks"]  # a name is not stemmed


def test_text_is_stemmed_and_long_tokens_dropped():
    assert text_analyzer().analyze("Caching Networks " + "x" * 41) == ["cach", "network"]
