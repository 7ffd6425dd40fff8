"""The choices of the subscription forms: time zones (common ones first) and arXiv categories
grouped by archive, so a new user picks instead of typing a name the digest cannot match.

Categories offered: arXiv's computer-science taxonomy (the site is about cs papers, and a new
install's store may hold few of them yet) plus every primary category present in the store, plus
whatever a subscription already holds (so an older free-text value stays valid on its page).
"""

from __future__ import annotations

from collections.abc import Iterable

from paperfeed.digests.models import time_zone_names
from paperfeed.papers.models import Paper

ARXIV_CS = {
    "cs.AI": "Artificial Intelligence", "cs.AR": "Hardware Architecture",
    "cs.CC": "Computational Complexity", "cs.CE": "Computational Engineering",
    "cs.CG": "Computational Geometry", "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security", "cs.CV": "Computer Vision",
    "cs.CY": "Computers and Society", "cs.DB": "Databases",
    "cs.DC": "Distributed Computing", "cs.DL": "Digital Libraries",
    "cs.DM": "Discrete Mathematics", "cs.DS": "Data Structures and Algorithms",
    "cs.ET": "Emerging Technologies", "cs.FL": "Formal Languages",
    "cs.GL": "General Literature", "cs.GR": "Graphics",
    "cs.GT": "Computer Science and Game Theory", "cs.HC": "Human-Computer Interaction",
    "cs.IR": "Information Retrieval", "cs.IT": "Information Theory",
    "cs.LG": "Machine Learning", "cs.LO": "Logic in Computer Science",
    "cs.MA": "Multiagent Systems", "cs.MM": "Multimedia",
    "cs.MS": "Mathematical Software", "cs.NA": "Numerical Analysis",
    "cs.NE": "Neural and Evolutionary Computing", "cs.NI": "Networking and Internet",
    "cs.OH": "Other Computer Science", "cs.OS": "Operating Systems",
    "cs.PF": "Performance", "cs.PL": "Programming Languages", "cs.RO": "Robotics",
    "cs.SC": "Symbolic Computation", "cs.SD": "Sound", "cs.SE": "Software Engineering",
    "cs.SI": "Social and Information Networks", "cs.SY": "Systems and Control",
}  # fmt: skip
"""arXiv's cs archive (https://arxiv.org/category_taxonomy), name -> title."""

COMMON_ZONES = (
    "UTC", "America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "Europe/London",
    "Europe/Paris", "Europe/Berlin", "Africa/Nairobi", "Asia/Kolkata", "Asia/Shanghai",
    "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney",
)  # fmt: skip
"""Shown first in the time zone list: one per populous research region."""


def timezone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped <select> choices: the common zones, then every IANA zone sorted.

    >>> groups = timezone_choices()
    >>> groups[0][1][0], ("Europe/Paris", "Europe/Paris") in groups[1][1]
    (('UTC', 'UTC'), True)
    """
    names = time_zone_names()
    common = [(z, z) for z in COMMON_ZONES if z in names]
    return [("Common", common), ("All time zones", [(z, z) for z in sorted(names)])]


def archive_of(category: str) -> str:
    """ "cs.LG" -> "cs"; "hep-th" -> "hep-th".

    >>> archive_of("cs.LG"), archive_of("hep-th")
    ('cs', 'hep-th')
    """
    return category.split(".", 1)[0]


def category_choices(keep: Iterable[str] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """Checkbox choices grouped by archive: arXiv's cs list, the store's primary categories
    (one indexed DISTINCT query) and ``keep`` (the subscription's current ones)."""
    present = Paper.objects.exclude(primary_category="").values_list("primary_category", flat=True)
    names = set(ARXIV_CS) | set(present.order_by().distinct()) | {c for c in keep if c}
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(names):
        title = ARXIV_CS.get(name)
        groups.setdefault(archive_of(name), []).append((name, f"{name} {title}" if title else name))
    return sorted(groups.items(), key=lambda group: (group[0] != "cs", group[0]))
