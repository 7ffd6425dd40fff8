"""One module per signal source; each has ``fetch(options, report, *, notify, progress)`` filling ``report``
(see :mod:`paperfeed.signals.fetching`)."""
