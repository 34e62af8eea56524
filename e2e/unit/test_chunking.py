"""A document's text cut into passages for the index: whole words, overlapping windows,
every page's passages numbered in order, the same however the text comes in blocks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.documents.chunking import Block, Chunk, chunk_blocks, split_blocks, split_text


def test_a_text_that_fits_is_one_passage_with_its_blanks_made_single_spaces() -> None:
    assert split_text("  Harbour\tnotes \r\n\n  in   spring  ", size=100, overlap=10) == [
        "Harbour notes \n\n in spring"
    ]


@pytest.mark.parametrize("text", ["", "   ", "\t\r\f\v"])
def test_a_text_of_nothing_but_blanks_is_no_passage(text: str) -> None:
    assert split_text(text, size=10, overlap=2) == []


def test_a_text_exactly_the_window_long_is_one_passage_and_one_past_it_two() -> None:
    words = "amber glass tower"  # 17 characters
    assert split_text(words, size=17, overlap=0) == ["amber glass tower"]
    assert split_text(words + "s", size=17, overlap=0) == ["amber glass", "towers"]


def test_windows_are_cut_at_a_space_and_overlap_by_whole_words() -> None:
    text = "one two three four five six seven eight nine ten"

    pieces = split_text(text, size=20, overlap=8)

    assert pieces == ["one two three four", "four five six seven", "seven eight nine ten"]
    assert all(len(piece) <= 20 for piece in pieces)


def test_a_word_longer_than_the_window_is_cut_where_the_window_ends() -> None:
    assert split_text("abcdefghij klm", size=4, overlap=0) == ["abcd", "efgh", "ij", "klm"]


def test_a_space_only_in_the_first_half_of_a_window_does_not_make_a_short_passage() -> None:
    # The window's last space is at 5, before half of 12: cutting there would leave 5.
    assert split_text("abcde fghijklmnopqrstu", size=12, overlap=0) == [
        "abcde fghijk",
        "lmnopqrstu",
    ]


def test_an_overlap_with_no_space_in_it_starts_the_next_passage_mid_word() -> None:
    assert split_text("ab cdefghijklmnopqrstuvwxyz", size=10, overlap=3) == [
        "ab cdefghi",
        "ghijklmnop",
        "nopqrstuvw",
        "uvwxyz",
    ]


def test_an_overlap_as_long_as_the_window_still_moves_on_one_character() -> None:
    assert split_text("abcdef", size=4, overlap=4) == ["abcd", "bcde", "cdef"]


def test_the_overlap_starts_at_its_first_whole_word() -> None:
    assert split_text("one two three four five six", size=20, overlap=12) == [
        "one two three four",
        "three four five six",
    ]


def test_passages_are_numbered_across_pages_and_keep_their_page() -> None:
    blocks = [Block(1, "alpha be"), Block(1, "ta gamma"), Block(2, ""), Block(3, "delta")]

    chunks = list(chunk_blocks(blocks, size=11, overlap=0))

    assert chunks == [
        Chunk(seq=0, page=1, text="alpha beta"),
        Chunk(seq=1, page=1, text="gamma"),
        Chunk(seq=2, page=3, text="delta"),
    ]


def test_a_run_of_blanks_cut_between_blocks_is_one_space_and_the_last_ones_go() -> None:
    assert list(split_blocks(["  a \t", "\t b", " \n"], size=10, overlap=0)) == ["a b"]


def test_blanks_before_the_text_take_no_room_in_its_first_passage() -> None:
    assert split_text("   alpha beta", size=10, overlap=0) == ["alpha beta"]


def test_a_block_that_ends_a_passage_long_waits_for_what_follows_it() -> None:
    """Cut where the whole text would be: "alpha betagamma" is cut after "alpha"."""
    assert list(split_blocks(["alpha beta", "gamma"], size=10, overlap=0)) == [
        "alpha",
        "betagamma",
    ]


# Words, spaces, tabs and line ends, cut anywhere: passages depend on the text, not on
# where its blocks happen to end.
TEXT = st.text(alphabet=st.sampled_from("ab \t\n\r"), max_size=300)


@given(
    text=TEXT,
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=8),
    size=st.integers(min_value=1, max_value=40),
    overlap=st.integers(min_value=0, max_value=40),
)
def test_a_text_read_in_blocks_is_cut_as_the_whole_text_is(
    text: str, cuts: list[int], size: int, overlap: int
) -> None:
    ends = sorted({min(cut, len(text)) for cut in cuts})
    blocks = [text[a:b] for a, b in zip([0, *ends], [*ends, len(text)], strict=True)]

    assert list(split_blocks(blocks, size, overlap)) == split_text(text, size, overlap)
