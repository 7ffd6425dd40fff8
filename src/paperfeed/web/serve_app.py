"""The WSGI application of ``paperfeed serve``: :mod:`paperfeed.wsgi`'s, with the query encoder,
templates and URLs loaded on import — in gunicorn's master before it forks, as ``serve`` passes
``--preload`` (:mod:`paperfeed.web.warmup`)."""

from paperfeed.wsgi import application  # first: sets Django and the thread limits up

# isort: split
from paperfeed.web import warmup

warmup.preload()

__all__ = ["application"]
