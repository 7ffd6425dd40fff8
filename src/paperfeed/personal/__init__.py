"""One signed-in reader's own feed: what they follow, mute and have seen, and how they order lists.

- :mod:`~paperfeed.personal.follows` (follows of authors, categories, organisations and searches)
  and :mod:`~paperfeed.personal.mutes` (muted keywords, authors, categories) are the one writers
  of their rows; :mod:`~paperfeed.personal.filters` takes muted papers out of lists, search pages,
  digests and alerts; :mod:`~paperfeed.personal.seen` dims or hides what was opened or dismissed.
- :mod:`~paperfeed.personal.foryou` over :mod:`~paperfeed.personal.relevance` orders a list for
  the reader; :mod:`~paperfeed.personal.order` decides when, :mod:`~paperfeed.personal.rerank`
  does it for search.
- :mod:`~paperfeed.personal.onboarding` builds a first profile; private feeds live in
  :mod:`~paperfeed.personal.feeds` behind :mod:`~paperfeed.personal.feedtokens`.

docs/personal.md says what a reader sees; docs/architecture.md where each part sits.
"""
