"""Which order a member's lists take — the community's or their own (for you) — and keeping
their choice.

The day, week and month pages and search offer the registry's ``for_you`` ranking beside the
community sorts to a signed-in member with a profile (:func:`paperfeed.personal.foryou.has_profile`).
When the page's address names no ``sort``, :func:`default_sort` decides from the member's
``Preferences.order``:

- ``community``: the page's community default (Hot on the lists, relevance in search);
- ``for_you``: for you, as long as they have a profile;
- ``auto`` (everyone's default): for you once the profile is strong
  (:func:`paperfeed.personal.foryou.is_strong`), else the community default.

:func:`choose` is the whole decision of a page (views stay thin); :func:`require` the API's
(a 400 naming ``sort`` for anyone without a profile); :func:`remember` keeps the toggle's choice
(through :func:`paperfeed.personal.preferences.set_order`, the one writer of the row).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from paperfeed import rankings
from paperfeed.params import BadParameter, check_choice
from paperfeed.personal import foryou, preferences
from paperfeed.personal.models import Preferences

FOR_YOU = Preferences.ORDER_FOR_YOU
COMMUNITY = Preferences.ORDER_COMMUNITY
AUTO = Preferences.ORDER_AUTO
SIGN_IN = "For you is for signed-in members: sign in to order this list by your interests."
NO_PROFILE = (
    "For you needs a profile: follow an author, a category or a search, or upvote a few papers, "
    "and this list can be ordered for you."
)
API_SIGN_IN = "for_you is for signed-in members: send your API token (Authorization: Bearer ...)"
API_NO_PROFILE = (
    "for_you needs a profile: follow an author, a category or a search, or upvote a few papers"
)
REMEMBERED = {
    FOR_YOU: "Your day, week and month lists and search are now ordered for you.",
    COMMUNITY: "Your lists now follow the community order.",
    AUTO: "Your lists will be ordered for you once your profile is strong enough.",
}
"""What the toggle says once a choice is kept."""


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def stored(user) -> str:
    """``user``'s kept order preference (``auto`` for anyone who never chose)."""
    return preferences.get(user).order if _signed_in(user) else AUTO


def personaliser(user):
    """What orders a list for ``user`` (:class:`paperfeed.papers.lists.Personaliser`):
    ``order_papers`` with the member bound."""
    return functools.partial(foryou.order_papers, user)


def _decide(user, community_default: str) -> tuple[str, bool]:
    """``(default sort, whether for you is offered)`` for ``user``, in as few queries as the
    preference allows."""
    if not _signed_in(user):
        return community_default, False
    if not foryou.has_profile(user):  # at most 3 small EXISTS queries
        return community_default, False
    kept = stored(user)
    if kept == FOR_YOU or (kept == AUTO and foryou.is_strong(user)):
        return FOR_YOU, True
    return community_default, True


def default_sort(user, community_default: str) -> str:
    """The order ``user``'s page takes when its address names none (see the module)."""
    return _decide(user, community_default)[0]


def refusal(user) -> str:
    """Why ``user`` cannot have the for-you order (a sentence for a page or a 400)."""
    return NO_PROFILE if _signed_in(user) else SIGN_IN


@dataclass(frozen=True)
class Choice:
    """A page's order for one member."""

    sort: str
    """The order to show."""
    default: str
    """The order the page takes without ``?sort=`` (its tab links without ``sort``)."""
    offered: bool
    """Whether the member can choose for you (the toggle shows)."""
    note: str = ""
    """Why for you, asked for, was not given (the page shows the community order)."""
    personal: object | None = None
    """The personaliser to hand the list when ``sort`` is for you."""

    @property
    def ranking(self) -> rankings.Ranking:
        """The for-you ranking (its label and help for the toggle)."""
        return rankings.get(FOR_YOU)


def choose(user, asked: str, community_default: str, sorts) -> Choice:
    """The order of a page for ``user`` that asked for ``asked`` (``""``: nothing asked) among
    the community ``sorts`` and for you; :class:`~paperfeed.params.BadParameter` naming ``sort``
    for anything else."""
    default, offered = _decide(user, community_default)
    note = ""
    if not asked:
        sort = default
    elif asked == FOR_YOU and not offered:
        sort, note = community_default, refusal(user)
    else:
        sort = check_choice("sort", asked, (*sorts, FOR_YOU))
    personal = personaliser(user) if sort == FOR_YOU else None
    return Choice(sort, default, offered, note, personal)


def require(user):
    """The personaliser of ``user`` for an API call with ``sort=for_you``, or
    :class:`~paperfeed.params.BadParameter` naming ``sort`` when they have no profile."""
    if not _signed_in(user):
        raise BadParameter("sort", API_SIGN_IN)
    if not foryou.has_profile(user):
        raise BadParameter("sort", API_NO_PROFILE)
    return personaliser(user)


def remember(user, order: str) -> str:
    """Keep ``order`` (``for_you``, ``community`` or ``auto``) as ``user``'s list order, and say
    what it does; :class:`~paperfeed.personal.preferences.PreferenceError` for anything else."""
    preferences.set_order(user, order)
    return REMEMBERED[order]
