"""api/errors.answering: a core refusal becomes the HTTP error its class is mapped to."""

import pytest
from ninja.errors import HttpError

from paperfeed.api import errors


class Refused(Exception):
    pass


class Missing(Refused):
    pass


def _raise(exc):
    def do():
        raise exc

    return do


def test_the_most_specific_mapping_listed_first_wins_and_keeps_the_message():
    with pytest.raises(HttpError) as caught:
        errors.answering(_raise(Missing("no such thing")), {Missing: 404, Refused: 400})
    assert (caught.value.status_code, str(caught.value)) == (404, "no such thing")
    with pytest.raises(HttpError) as caught:
        errors.answering(_raise(Refused("bad")), {Missing: 404, Refused: 400})
    assert caught.value.status_code == 400


def test_a_value_passes_through_and_an_unmapped_exception_propagates():
    assert errors.answering(lambda: 7, {Refused: 400}) == 7
    with pytest.raises(KeyError):
        errors.answering(_raise(KeyError("x")), {Refused: 400})
