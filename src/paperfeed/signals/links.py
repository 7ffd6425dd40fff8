"""Code repositories and project pages named in a paper's own text (abstract, comments).

Pure functions over text, no database: :func:`code_links` gives ``[(kind, "owner/name"), ...]``
(GitHub and GitLab repositories, Hugging Face models, datasets and spaces), :func:`project_page`
the paper's project page. :mod:`paperfeed.signals.code` stores what they find.

Why this much care: 16 % of the 2025-26 arXiv cs papers name their code, and they do it the way
people write, not the way a URL parser hopes. What is handled (every case is a test, taken from
real abstracts; see ``../shared/fixtures/signals/README.md`` section 5):

- lead-ins glued to the URL (``Code:https://...``), trailing ``.`` ``,`` ``)``, a ``.git`` suffix,
  ``tree/main/...`` / ``blob/...`` paths, ``?query`` and ``#fragment``;
- LaTeX: ``\\href{URL}{text}`` and ``\\url{URL}`` (braces end a URL), ``\\_`` inside a URL;
- no scheme (``github.com/x/y``), ``www.github.com``, ``hf.co`` for ``huggingface.co``;
- a URL broken by a hard line break, joined only when the join is plausible (:func:`_join`):
  after ``-`` or ``_`` always, after ``/`` only when the next line starts with something that
  looks like a name (``Gepardius/Taetz_...``, ``KVQE``) rather than a word (``soon.``, ``and``);
- an owner without a repository (``github.com/yongxianLiu/`` + "soon") is not a repository;
- ``*.github.io`` is a project page, not code; arXiv's "this https URL" placeholder is nothing.

Names keep the case they were written in (GitHub and Hugging Face ignore case, so duplicates
are found without regard to it: the first spelling wins).
"""

from __future__ import annotations

import re

GITHUB, GITLAB = "github", "gitlab"
HF_MODEL, HF_DATASET, HF_SPACE = "hf-model", "hf-dataset", "hf-space"
"""The kinds of :class:`paperfeed.signals.models.Repository` (kept equal by a test)."""

Link = tuple[str, str]

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
"""The characters of a URL (RFC 3986): anything else (space, braces, backslash, quotes, CJK
punctuation) ends it."""
_URL_CHAR_SET = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
_RUN = re.compile(_URL_CHARS + "+")
_URL = re.compile(
    r"https?://(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?(?![\w-])(?:/" + _URL_CHARS + r"*)?"
    r"|(?<![\w.@/%-])(?:"
    r"(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|hf\.co)"
    r"|www\.(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}"
    r"|[A-Za-z0-9-]+\.github\.io"
    r")(?![\w-])(?:/" + _URL_CHARS + r"*)?",
    re.IGNORECASE,
)
"""A URL inside a run of URL characters: with a scheme (also glued to the word before it, as
in ``athttps://``), or on one of the hosts people write without one."""
_ANCHORS = ("http", "www.", "github", "gitlab", "huggingface", "hf.co")
"""Where a URL can be (in lower case). Only the runs around these are parsed: a regular
expression tried at every position of 75,000 abstracts costs ~10 s, ``str.find`` ~0.3 s."""
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_QUERY = re.compile(r"[?#]")
_GLUED = re.compile(r"(?<=.)(?=https?://)")
_SPACED_SCHEME = re.compile(r"\b(https?:)[ \t]*\r?\n?[ \t]*(//)", re.IGNORECASE)
_LINE_GAP = re.compile(r"[ \t]*\r?\n[ \t]*|[ \t]+")
_LATEX_ESCAPE = re.compile(r"\\([_%&#~])")
_TRAILING = ".,;:!?'\"*"
_NAME_PART = re.compile(r"[A-Za-z0-9._-]+")
_CONTINUATION = re.compile(r"[A-Za-z0-9._/-]+")
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_LEAD_IN = re.compile(
    r"\b(?:project[\s-]*(?:page|website|webpage|homepage|site)|web[\s-]*page|website"
    r"|home[\s-]*page)s?\b",
    re.IGNORECASE,
)
_LEAD_GAP = 80
"""How far after "project page" its URL may start (``is publicly available at \\url{``)."""
_LEAD_WINDOW = _LEAD_GAP + 30
MAX_PAGE_LENGTH = 500
"""The column's length; a longer "URL" is not one anybody typed."""

GITHUB_RESERVED = frozenset(
    [
        *("about", "apps", "blog", "collections", "contact", "customer-stories", "enterprise"),
        *("events", "explore", "features", "github", "login", "marketplace", "new"),
        *("notifications", "orgs", "organizations", "pricing", "pulls", "issues", "search"),
        *("security", "settings", "site", "sponsors", "team", "topics", "trending", "users"),
    ]
)
"""First path segments of github.com that are not owners (github.com/topics/x is no repo)."""
GITLAB_RESERVED = frozenset(["-", "dashboard", "explore", "groups", "help", "search", "users"])
GITLAB_ENDS = frozenset(
    ["-", "blob", "tree", "raw", "issues", "merge_requests", "wikis", "commits", "releases"]
)
"""Path segments after a GitLab project's name (old URLs lack the ``/-/``)."""
HF_RESERVED = frozenset(
    [
        *("api", "blog", "chat", "collections", "docs", "enterprise", "join", "learn", "login"),
        *("models", "new", "organizations", "papers", "posts", "pricing", "settings", "tasks"),
    ]
)
"""First path segments of huggingface.co that are not model owners."""
_CODE_HOSTS = frozenset({"github.com", "gitlab.com", "huggingface.co", "hf.co"})


def repository_key(kind: str, name: str) -> str:
    """The identity of a repository (hosts ignore case): the same as
    :func:`paperfeed.signals.store.repository_key`.

    >>> repository_key("github", "MiniMax-AI/MSA")
    'github:minimax-ai/msa'
    """
    return f"{kind}:{name.strip().strip('/')}".lower()


def code_links(text: str | None) -> list[Link]:
    """Repositories named in ``text``, in order of first mention, without duplicates.

    >>> code_links("CVPR 2025, Code: https://github.com/kagawa588/DiffVsgg")
    [('github', 'kagawa588/DiffVsgg')]
    >>> code_links("MicroVQA is\\navailable at https://huggingface.co/datasets/jmhb/microvqa, and")
    [('hf-dataset', 'jmhb/microvqa')]
    >>> code_links("Our code will be available at https://github.com/yongxianLiu/\\nsoon.")
    []
    """
    return scan(text)[0]


def project_page(text: str | None) -> str:
    """The project page named in ``text``: the URL after "project page" (or "website",
    "webpage", "homepage") unless it is on a code host, else the first ``*.github.io`` URL;
    "" when there is none.

    >>> project_page("Project page: https://byeongjun-park.github.io/SteerX/")
    'https://byeongjun-park.github.io/SteerX/'
    >>> project_page("Code: https://github.com/x/y. Project website: www.example.org/demo.")
    'https://www.example.org/demo'
    """
    return scan(text)[1]


def scan(text: str | None) -> tuple[list[Link], str]:
    """``(code_links(text), project_page(text))`` with one pass over the text."""
    if not text or not _may_name_a_url(text):
        return [], ""
    text = _prepare(text)
    urls = _urls(text)
    if not urls:
        return [], ""
    links: dict[str, Link] = {}
    for _, url in urls:
        link = repository_of(url)
        if link is not None:
            links.setdefault(repository_key(*link), link)
    return list(links.values()), _page(text, urls)


def _may_name_a_url(text: str) -> bool:
    """Whether ``text`` can hold a URL this module reads: a scheme, a ``.com``/``.co``/``.io``
    host or ``www.`` (in lower case: "GitHub.com" passes by its ``.com``). Most abstracts have
    none, and four substring tests are the cheapest way to say so."""
    return "http" in text or ".co" in text or ".io" in text or "www." in text


def _prepare(text: str) -> str:
    """Undo LaTeX escapes inside URLs (``\\_``) and close ``https: //`` (a space or a line
    break after the scheme, as some abstracts have)."""
    if "\\" in text:
        text = _LATEX_ESCAPE.sub(r"\1", text)
    if " //" in text or "\n//" in text:
        text = _SPACED_SCHEME.sub(r"\1\2", text)
    return text


def _urls(text: str) -> list[tuple[int, str]]:
    """``[(start, url), ...]`` of the URLs in ``text``, trimmed, broken ones joined."""
    lowered = text.lower()
    starts = set()
    for anchor in _ANCHORS:
        at = lowered.find(anchor)
        while at != -1:
            start = at
            while start > 0 and text[start - 1] in _URL_CHAR_SET:
                start -= 1
            starts.add(start)
            at = lowered.find(anchor, at + len(anchor))
    found = []
    resume = 0
    for start in sorted(starts):
        if start < resume:
            continue
        run = _RUN.match(text, start)
        if run is None:
            continue
        chunk, resume = _joined(text, run.group(), run.end())
        for match in _URL.finditer(chunk):
            found.extend((start + match.start(), url) for url in _split_glued(match.group()))
    return found


def _joined(text: str, run: str, end: int) -> tuple[str, int]:
    """The run of URL characters that ends at ``end``, joined with the next run when a line
    break (or a stray space after a bare host or owner) split one URL in two; and where the
    text after it resumes."""
    if not run.endswith(("-", "_", "/")):
        return run, end
    gap = _LINE_GAP.match(text, end)
    rest = _RUN.match(text, gap.end()) if gap else None
    if rest is None:
        return run, end
    core = rest.group().rstrip(_TRAILING + ")]")
    if not core or not _CONTINUATION.fullmatch(core):
        return run, end
    joined = run + rest.group()
    if "\n" not in gap.group():
        # a space, not a line break: only a code-host URL that still lacks its repository
        if repository_of(_trim(run)) is None and repository_of(_trim(joined)) is not None:
            return joined, rest.end()
        return run, end
    if run.endswith(("-", "_")) and core[0].isalnum():
        return joined, rest.end()
    if run.endswith("/") and looks_like_a_name(core):
        return joined, rest.end()
    return run, end


def looks_like_a_name(word: str) -> bool:
    """Whether ``word`` (the start of a line after a URL ending in ``/``) reads as a path
    (``owner/repo``, ``e3nn_U-Net``, ``MMR``, ``camelCase``) rather than prose (``soon``, ``and``,
    ``The``): a slash, hyphen, underscore or digit, or a capital letter after the first.

    >>> [looks_like_a_name(w) for w in ("Gepardius/Taetz", "KVQE", "soon", "Project", "v2")]
    [True, True, False, False, True]
    """
    if any(c in word for c in "/-_") or any(c.isdigit() for c in word):
        return True
    return any(c.isupper() for c in word[1:])


def _split_glued(url: str) -> list[str]:
    """``https://a/x,https://b/y`` (two URLs with nothing between) as two."""
    parts = _GLUED.split(url)
    return [_trim(p) for p in parts if _trim(p)]


def _trim(url: str) -> str:
    """Without the punctuation that ends the sentence rather than the URL: ``.`` ``,`` ``;``
    quotes, and a ``)`` or ``]`` that closes a bracket opened before the URL.

    >>> _trim("https://github.com/www-Ye/TimeZero.")
    'https://github.com/www-Ye/TimeZero'
    >>> _trim("https://en.wikipedia.org/wiki/Foo_(bar)).")
    'https://en.wikipedia.org/wiki/Foo_(bar)'
    """
    while url:
        last = url[-1]
        if (
            last in _TRAILING
            or last == ")"
            and url.count(")") > url.count("(")
            or last == "]"
            and url.count("]") > url.count("[")
        ):
            url = url[:-1]
        else:
            break
    return url


def _split_url(url: str) -> tuple[str, list[str]]:
    """``(host in lower case without www., path segments)`` of a URL with or without scheme."""
    rest = _SCHEME.sub("", url)
    rest = _QUERY.split(rest, maxsplit=1)[0]
    host, _, path = rest.partition("/")
    host = host.lower().split(":")[0]
    if host.startswith("www."):
        host = host[4:]
    return host, [segment for segment in path.split("/") if segment]


def repository_of(url: str) -> Link | None:
    """The repository a URL points into, or None (not a code host, or not a repository).

    >>> repository_of("github.com/Xu3XiWang/CAD-GD")
    ('github', 'Xu3XiWang/CAD-GD')
    >>> repository_of("https://github.com/YaxiiC/RadiomicsPersona.git")
    ('github', 'YaxiiC/RadiomicsPersona')
    >>> repository_of("https://gitlab.com/nct_tso_public/surgvgen/-/tree/main")
    ('gitlab', 'nct_tso_public/surgvgen')
    >>> repository_of("https://hf.co/spaces/Jiaqi-hkust/Robust-U1")
    ('hf-space', 'Jiaqi-hkust/Robust-U1')
    >>> repository_of("https://github.com/yongxianLiu/") is None
    True
    """
    host, segments = _split_url(url)
    if host == "github.com":
        return _github(segments)
    if host == "gitlab.com":
        return _gitlab(segments)
    if host in ("huggingface.co", "hf.co"):
        return _huggingface(segments)
    return None


def _name_part(segment: str) -> str:
    """The leading name characters of a path segment, without a ``.git`` suffix or dots that
    end a sentence."""
    match = _NAME_PART.match(segment)
    name = match.group() if match else ""
    if name.lower().endswith(".git"):
        name = name[:-4]
    name = name.rstrip(".")
    return "" if name in ("", ".", "..") else name


def _github(segments: list[str]) -> Link | None:
    if len(segments) < 2:
        return None
    owner, repo = segments[0], _name_part(segments[1])
    if not _GITHUB_OWNER.fullmatch(owner) or owner.lower() in GITHUB_RESERVED or not repo:
        return None
    return GITHUB, f"{owner}/{repo}"


def _gitlab(segments: list[str]) -> Link | None:
    """GitLab projects sit in nested groups: every segment up to ``/-/`` (or an old-style
    ``blob``, ``tree``...) is part of the name."""
    if not segments or segments[0].lower() in GITLAB_RESERVED:
        return None
    path: list[str] = []
    for segment in segments:
        if segment.lower() in GITLAB_ENDS and len(path) >= 2:
            break
        name = _name_part(segment)
        if name:
            path.append(name)
        if name != segment:  # trailing junk (".git", a glued word): the name ends here
            break
    return (GITLAB, "/".join(path)) if len(path) >= 2 else None


def _huggingface(segments: list[str]) -> Link | None:
    kind = HF_MODEL
    if segments and segments[0].lower() in ("datasets", "spaces"):
        kind = HF_DATASET if segments[0].lower() == "datasets" else HF_SPACE
        segments = segments[1:]
    elif segments and segments[0].lower() in HF_RESERVED:
        return None
    if len(segments) < 2:
        return None
    owner, name = _name_part(segments[0]), _name_part(segments[1])
    if not owner or owner != segments[0] or not name:
        return None
    return kind, f"{owner}/{name}"


def _page(text: str, urls: list[tuple[int, str]]) -> str:
    """The URL a "project page" lead-in points to, unless it is on a code host; else the
    first ``*.github.io`` URL."""
    previous_end = 0
    for start, url in urls:
        window_start = max(previous_end, start - _LEAD_WINDOW)
        previous_end = start + len(url)
        leads = list(_LEAD_IN.finditer(text, window_start, start))
        if not leads:
            continue
        gap = text[leads[-1].end() : start]
        if len(gap) > _LEAD_GAP or ". " in gap or "\n\n" in gap:
            continue
        if _split_url(url)[0] not in _CODE_HOSTS:
            return _absolute(url)
    for _, url in urls:
        if _split_url(url)[0].endswith(".github.io"):
            return _absolute(url)
    return ""


def _absolute(url: str) -> str:
    """``url`` with a scheme (``https://`` when it had none), "" when too long to store."""
    if not _SCHEME.match(url):
        url = "https://" + url
    return url if len(url) <= MAX_PAGE_LENGTH else ""
