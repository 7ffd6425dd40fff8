"""What one signed-in user asked to see less of: muted keywords, authors and categories.

:mod:`paperfeed.personal.mutes` records them (the one writer), :mod:`paperfeed.personal.filters`
takes muted papers out of lists, search pages and digests.
"""
