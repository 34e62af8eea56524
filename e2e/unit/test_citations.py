"""Which numbered sources an answer cites: every way a model writes the numbers, in
number order, each once, only sources that exist."""

import pytest

from web.chat.citations import SNIPPET_CHARS, cited
from web.retrieval import Passage

PASSAGES = [Passage(n, f"doc{n}", f"notes{n}.txt", n, f"Passage {n}.") for n in range(1, 6)]


def numbers(answer: str) -> list[int]:
    return [citation["n"] for citation in cited(answer, PASSAGES)]


@pytest.mark.parametrize(
    ("answer", "cited_numbers"),
    [
        ("Onhava [1].", [1]),
        ("Onhava [1, 3].", [1, 3]),
        ("Onhava [1][2].", [1, 2]),
        ("Onhava [2-4].", [2, 3, 4]),
        ("Onhava [2\u20134].", [2, 3, 4]),  # an en dash
        ("Onhava [ 1 ,3 - 4 ].", []),  # blanks inside the brackets' edges: no marker
        ("Onhava [1 , 3 \u2013 4].", [1, 3, 4]),
        ("Onhava [3] and again [3], then [1].", [1, 3]),
        ("Onhava [5].", [5]),
        ("Onhava [6].", []),  # no sixth source
        ("Onhava [4-9].", [4, 5]),  # a range past the last source stops there
        ("Onhava [0].", []),
        ("Onhava [one].", []),
        ("Onhava, no sources.", []),
    ],
    ids=str,
)
def test_each_way_of_writing_numbers_cites_those_sources_in_order_once(
    answer: str, cited_numbers: list[int]
) -> None:
    assert numbers(answer) == cited_numbers


def test_a_citation_names_its_document_page_and_text() -> None:
    assert cited("See [2].", PASSAGES) == [
        {
            "n": 2,
            "document_id": "doc2",
            "filename": "notes2.txt",
            "page": 2,
            "snippet": "Passage 2.",
        }
    ]


def test_a_snippet_of_the_limit_is_whole_and_one_past_it_ends_in_an_ellipsis() -> None:
    at_limit = Passage(1, "d", "f.txt", None, "x" * SNIPPET_CHARS)
    past_limit = Passage(1, "d", "f.txt", None, "y" * (SNIPPET_CHARS + 1))

    (whole,) = cited("[1]", [at_limit])
    (cut,) = cited("[1]", [past_limit])

    assert whole["snippet"] == "x" * SNIPPET_CHARS
    assert cut["snippet"] == "y" * (SNIPPET_CHARS - 1) + "…"


def test_a_snippet_has_its_blanks_made_single_spaces() -> None:
    passage = Passage(1, "d", "f.txt", None, "  Amber\n\nand\tglass  ")

    assert cited("[1]", [passage])[0]["snippet"] == "Amber and glass"
