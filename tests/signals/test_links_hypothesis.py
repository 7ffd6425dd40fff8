"""Properties of link extraction: it never raises, a repository written any way people write it
comes back as itself, and whatever it finds is stable under its own normalisation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.signals import links

OWNER = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,20}", fullmatch=True).filter(
    lambda owner: owner.lower() not in links.GITHUB_RESERVED
)
# a name ending in "-" or "_" at the end of a line is read as a URL the PDF wrapped there
# (links._joined joins it with the next line when that starts with a letter or digit): by design
# ambiguous with "owner/repo_" followed by "\n15 pages", so such names are not generated here
REPO = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,30}", fullmatch=True).filter(
    lambda repo: not repo.endswith((".", "-", "_")) and not repo.lower().endswith(".git")
)
WORDS = st.lists(
    st.sampled_from(["Code", "is", "available", "at", "our", "the", "model", "(see", "2025,"]),
    max_size=6,
).map(" ".join)
URL_FORMS = [
    "https://github.com/{name}",
    "http://github.com/{name}/",
    "github.com/{name}",
    "https://www.github.com/{name}.git",
    "https://github.com/{name}/tree/main/src",
    "https://github.com/{name}/blob/v1.0/README.md#usage",
    "\\url{{https://github.com/{name}}}",
    "\\href{{https://github.com/{name}}}{{our code}}",
    "Code:https://github.com/{name}",
    "(https://github.com/{name})",
]
AFTER = st.sampled_from(["", ".", ",", ").", ";", ". Next sentence.", "\n15 pages, 3 figures"])
PIECES = [
    *"abcXYZ019-_./:\\{}()[] \n\t,.",
    *("github.com", "https://", "hf.co", ".github.io", "huggingface.co/datasets/", "gitlab.com/"),
    *("www.", "project page: ", "\\_", "-\n", "/\n", ".git", "spaces/"),
]
URLISH = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
"""Text made of the pieces URLs and their troubles are made of."""
HOSTED = st.tuples(
    st.sampled_from(
        ["https://github.com/", "github.com/", "https://hf.co/", "huggingface.co/spaces/"]
        + ["https://gitlab.com/", "\\url{https://huggingface.co/datasets/", "Code:github.com/"]
    ),
    st.from_regex(r"[A-Za-z0-9]{1,6}/?[A-Za-z0-9]{0,6}", fullmatch=True),
    URLISH,
).map("".join)
"""A code host's URL followed by such text: most of them name a repository."""


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=300), URLISH))
def test_extraction_never_raises_and_gives_unique_well_formed_links(text):
    found, page = links.scan(text)
    keys = [links.repository_key(kind, name) for kind, name in found]
    assert len(keys) == len(set(keys))
    for kind, name in found:
        assert kind in {
            links.GITHUB,
            links.GITLAB,
            links.HF_MODEL,
            links.HF_DATASET,
            links.HF_SPACE,
        }
        assert name.count("/") >= 1 and not name.startswith("/") and not name.endswith("/")
    assert page == "" or page.startswith(("http://", "https://"))


@settings(max_examples=300, deadline=None)
@given(
    owner=OWNER,
    repo=REPO,
    form=st.sampled_from(URL_FORMS),
    before=WORDS,
    after=AFTER,
    newline_before=st.booleans(),
)
def test_a_repository_written_any_way_comes_back_as_itself(
    owner, repo, form, before, after, newline_before
):
    name = f"{owner}/{repo}"
    text = before + ("\n" if newline_before else " ") + form.format(name=name) + after
    assert links.code_links(text) == [("github", name)]


def _url(kind: str, name: str) -> str:
    return {
        links.GITHUB: f"https://github.com/{name}",
        links.GITLAB: f"https://gitlab.com/{name}",
        links.HF_MODEL: f"https://huggingface.co/{name}",
        links.HF_DATASET: f"https://huggingface.co/datasets/{name}",
        links.HF_SPACE: f"https://huggingface.co/spaces/{name}",
    }[kind]


@settings(max_examples=300, deadline=None)
@given(text=HOSTED)
def test_normalisation_is_a_fixed_point(text):
    """What is found, written back as its canonical URL (Repository.url), is found as itself."""
    for kind, name in links.code_links(text):
        url = _url(kind, name)
        assert links.code_links(url) == [(kind, name)]
        assert links.code_links(f"Code: {url}.") == [(kind, name)]
