"""Code links and project pages read from arXiv text: every example of section 5 of
``../shared/fixtures/signals/README.md`` (real abstracts and comments), and the shapes around
them (no scheme, tree/blob paths, .git, Hugging Face kinds, GitLab groups)."""

from __future__ import annotations

import doctest

import pytest

from paperfeed.signals import links
from paperfeed.signals.models import Repository
from paperfeed.signals.store import repository_key


def test_doctests():
    assert doctest.testmod(links).failed == 0


def test_kinds_and_keys_are_the_stores():
    assert (links.GITHUB, links.GITLAB) == (Repository.GITHUB, Repository.GITLAB)
    assert (links.HF_MODEL, links.HF_DATASET, links.HF_SPACE) == (
        Repository.HF_MODEL,
        Repository.HF_DATASET,
        Repository.HF_SPACE,
    )
    for name in ("MiniMax-AI/MSA", " a/b/ ", "X/y.z"):
        assert links.repository_key("github", name) == repository_key("github", name)


# (id, field, text as the corpus has it, code links, project page)
README_EXAMPLES = [
    (
        "2503.13957 comment",
        "CVPR 2025, Code: https://github.com/kagawa588/DiffVsgg",
        [("github", "kagawa588/DiffVsgg")],
        "",
    ),
    (
        "2503.13377 abstract",
        "Code is available at https://github.com/www-Ye/TimeZero.",
        [("github", "www-Ye/TimeZero")],
        "",
    ),
    (
        "2504.00719 abstract",
        "Our code is publicly available at\nhttps://github.com/ThomasEHuber/s5-rf.",
        [("github", "ThomasEHuber/s5-rf")],
        "",
    ),
    (
        "2503.12024 comment",
        "Project page: https://byeongjun-park.github.io/SteerX/",
        [],
        "https://byeongjun-park.github.io/SteerX/",
    ),
    (
        "2503.12418 abstract",
        "Code is available at\n\\href{https://github.com/xielaobanyy/causal-imt}"
        "{https://github.com/xielaobanyy/causal-imt}.",
        [("github", "xielaobanyy/causal-imt")],
        "",
    ),
    (
        "2503.13881 comment",
        "ICLR 2025, Code and dataset are available at\n  \\url{https://github.com/jdg900/MMR}",
        [("github", "jdg900/MMR")],
        "",
    ),
    (
        "2503.12460 abstract",
        "Code will be at github.com/Xu3XiWang/CAD-GD.",
        [("github", "Xu3XiWang/CAD-GD")],
        "",
    ),
    (
        "2503.13399 abstract",
        "MicroVQA is\navailable at https://huggingface.co/datasets/jmhb/microvqa, and",
        [("hf-dataset", "jmhb/microvqa")],
        "",
    ),
    (
        "2504.13131 abstract",
        "https://github.com/lixinustc/KVQE-\nChallengeCVPR-NTIRE2025.",
        [("github", "lixinustc/KVQE-ChallengeCVPR-NTIRE2025")],
        "",
    ),
    (
        "2506.02393 abstract",
        "Our code will be available at https://github.com/yongxianLiu/\nsoon.",
        [],
        "",
    ),
]


@pytest.mark.parametrize(("where", "text", "code", "page"), README_EXAMPLES)
def test_the_readme_examples(where, text, code, page):
    assert links.code_links(text) == code, where
    assert links.project_page(text) == page, where


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # more broken lines seen in the corpus
        (
            "available at https://github.com/\nGepardius/Taetz_Bordelius_Continual_ImageCaptioning.",
            [("github", "Gepardius/Taetz_Bordelius_Continual_ImageCaptioning")],
        ),
        ("will be available at https://github.com/\n--.\n12 pages", []),
        (
            "at https:\n//github.com/mbzuai-nlp/finchain.\n15 pages",
            [("github", "mbzuai-nlp/finchain")],
        ),
        ("at https: //github.com/HongkLin/TIDE.", [("github", "HongkLin/TIDE")]),
        ("at https://github.com/ elakhatibi/CDF-RAG.", [("github", "elakhatibi/CDF-RAG")]),
        (
            "at https://huggingface.co/ Jgmorenof/mistral\\_merged\\_0\\_4.",
            [("hf-model", "Jgmorenof/mistral_merged_0_4")],
        ),
        # a complete URL followed by a space and a name-like word is not joined
        ("at https://github.com/a/b/ MMR-Bench is new", [("github", "a/b")]),
        # LaTeX escapes, glued lead-ins, placeholders
        ("at http://github.com/SCAN-NRAD/e3nn\\_U-Net.", [("github", "SCAN-NRAD/e3nn_U-Net")]),
        (
            "accessible athttps://github.com/flageval-baai/FlagEvalMM.",
            [("github", "flageval-baai/FlagEvalMM")],
        ),
        ("available at\nurlhttps://github.com/flyakon/AgriFM.", [("github", "flyakon/AgriFM")]),
        ("Code is available at this https URL.", []),
        # paths, suffixes, www, hosts people abbreviate
        (
            "https://github.com/hmorimitsu/ptlflow/tree/main/ptlflow/models/dpflow. 24",
            [("github", "hmorimitsu/ptlflow")],
        ),
        (
            "\\textcolor{red}{https://github.com/yiyscut/VIO-IPNet.git}.",
            [("github", "yiyscut/VIO-IPNet")],
        ),
        ("https://github.com/ObedDzik/pca\\_segment.git.", [("github", "ObedDzik/pca_segment")]),
        ("https://www.github.com/sremedios/eclare.", [("github", "sremedios/eclare")]),
        (
            "(https://github.com/a/b#readme) and (github.com/c/d?tab=x)",
            [("github", "a/b"), ("github", "c/d")],
        ),
        ("https://hf.co/datasets/nvidia/Granary\nAccepted", [("hf-dataset", "nvidia/Granary")]),
        (
            "https://huggingface.co/spaces/Jiaqi-hkust/Robust-U1",
            [("hf-space", "Jiaqi-hkust/Robust-U1")],
        ),
        (
            "models: https://huggingface.co/MiniMaxAI/MiniMax-M3.",
            [("hf-model", "MiniMaxAI/MiniMax-M3")],
        ),
        ("https://gitlab.com/nct_tso_public/surgvgen.", [("gitlab", "nct_tso_public/surgvgen")]),
        ("https://gitlab.com/a/b/c/-/blob/main/x.py", [("gitlab", "a/b/c")]),
        # owners, organisations, collections, other pages: not repositories
        ("www.github.com. and https://github.com/MiniMax-AI.", []),
        ("https://huggingface.co/collections/naver/oscar-67d446a8e3a2551f57464295.", []),
        ("https://huggingface.co/papers/2506.01234 https://github.com/topics/llm", []),
        ("https://gist.github.com/a/b0c1 https://raw.example.org/github.com/x/y", []),
        ("https://anonymous.4open.science/r/EHNet.", []),
        # two URLs glued, duplicates in other case, first spelling kept
        (
            "https://github.com/A/B,https://github.com/c/d https://github.com/a/b",
            [("github", "A/B"), ("github", "c/d")],
        ),
    ],
)
def test_shapes_found_in_the_corpus(text, expected):
    assert links.code_links(text) == expected


@pytest.mark.parametrize(
    ("text", "page"),
    [
        (
            "page:https://isee-laboratory.github.io/PanoDecouple/\nCode:https://github.com/iSEE-Laboratory/PanoDecouple/",
            "https://isee-laboratory.github.io/PanoDecouple/",
        ),
        ("Project website: https://example.org/demo (with videos).", "https://example.org/demo"),
        (
            "Our project page is available at \\url{https://proj.example.com/x}.",
            "https://proj.example.com/x",
        ),
        ("Project page: https://github.com/tub-rip/e2fai", ""),  # a repository, not a page
        ("Visit mgwillia.github.io/vinrb/\nand more", "https://mgwillia.github.io/vinrb/"),
        ("A website. Later on https://example.org/x is data.", ""),
        ("Details on the project page. " + "x" * 100 + " https://example.org/far", ""),
        ("no links at all", ""),
    ],
)
def test_project_pages(text, page):
    assert links.project_page(text) == page


def test_the_readme_code_example_keeps_the_project_page_apart():
    text = "Code: https://github.com/x/y, project page: https://x.github.io/y/."
    assert links.scan(text) == ([("github", "x/y")], "https://x.github.io/y/")
