"""Normalisation, sentence splitting and sentence identity."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watcher.text import fold, sentence_key, sentence_spans, split_sentences, tokenise, word_keys

# --- fold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Karim KHAN", "karim khan"),
        ("pénale", "penale"),
        ("Mókom", "mokom"),
        ("Mo\u0301kom", "mokom"),  # decomposed accent
        ("Cour pénale internationale", "cour penale internationale"),
        ("Khan\u2019s", "khan's"),
        ("Khan\u2018s", "khan's"),
        ("\u201cquoted\u201d", '"quoted"'),
        ("Khan\u2013led", "khan-led"),
        ("Khan\u2014led", "khan-led"),
        ("Khan\u2011led", "khan-led"),
        ("Karim\u00a0Khan", "karim khan"),
        ("Karim\u2009Khan", "karim khan"),
        ("Karim\u202fKhan", "karim khan"),
        ("Kha\u200bn", "khan"),
        ("Kha\u00adn", "khan"),
        ("\ufeffKhan", "khan"),
        ("  Karim \n\t Khan  ", "karim khan"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Ørsted", "orsted"),
        ("\uff2b\uff48\uff41\uff4e", "khan"),  # full-width letters
        ("\ufb01nal", "final"),  # ligature
        ("\u210cague", "hague"),  # black-letter capital H: decomposes to an upper-case H
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


_IGNORABLES = st.sampled_from(["\u200b", "\u00ad", "\u200c", "\u200d", "\u2060", "\ufeff"])


@given(st.text(max_size=60))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=40), st.data())
def test_fold_ignores_zero_width_and_soft_hyphens(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(text)))
    inserted = text[:position] + data.draw(_IGNORABLES) + text[position:]
    assert fold(inserted) == fold(text)


@given(st.text(max_size=40))
def test_fold_ignores_case(text: str) -> None:
    assert fold(text.upper()) == fold(text) == fold(text.lower())


@given(st.text(max_size=40))
def test_fold_treats_nbsp_as_space(text: str) -> None:
    assert fold(text.replace(" ", "\u00a0")) == fold(text)


@given(st.text(max_size=40))
def test_fold_ignores_normal_form(text: str) -> None:
    assert fold(unicodedata.normalize("NFC", text)) == fold(text)
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


# --- split_sentences -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Prosecutor Karim A. A. Khan KC spoke. He left.",
         ["Prosecutor Karim A. A. Khan KC spoke.", "He left."]),
        ("Karim A.A. Khan spoke.", ["Karim A.A. Khan spoke."]),
        ("Mr. Khan and Dr. Smith met. Then left.", ["Mr. Khan and Dr. Smith met.", "Then left."]),
        ("See No. 5 and Art. 7 of the Statute.", ["See No. 5 and Art. 7 of the Statute."]),
        ("As in para. 12 of the ruling.", ["As in para. 12 of the ruling."]),
        ("The Prosecutor v. Mokom case closed.", ["The Prosecutor v. Mokom case closed."]),
        ("Acme Inc. Said nothing.", ["Acme Inc. Said nothing."]),
        ("Crimes, e.g. Murder, were charged.", ["Crimes, e.g. Murder, were charged."]),
        ("Crimes, i.e. Murder, were charged.", ["Crimes, i.e. Murder, were charged."]),
        ("The U.N. Security Council met.", ["The U.N. Security Council met."]),
        ("It grew 3.5 per cent. Then fell.", ["It grew 3.5 per cent.", "Then fell."]),
        ("On 12.05.2024 it sat.", ["On 12.05.2024 it sat."]),
        ('He said "No." Then left.', ['He said "No."', "Then left."]),
        ("He said (in part.) Then left.", ["He said (in part.)", "Then left."]),
        ("Wait... and see.", ["Wait... and see."]),
        ("Wait... Then go.", ["Wait...", "Then go."]),
        ("Yahoo! said it.", ["Yahoo! said it."]),
        ("It ended in 2024. 15 people died.", ["It ended in 2024.", "15 people died."]),
        ("He said no. The court agreed.", ["He said no.", "The court agreed."]),
        # a time in lower case ends a sentence; dotted capitals and listed ones do not
        ("Khan spoke at 5 p.m. The court rose.", ["Khan spoke at 5 p.m.", "The court rose."]),
        ("It opens at 9 a.m. Mokom is due.", ["It opens at 9 a.m.", "Mokom is due."]),
        ("It opens at 9 a.m. on Monday.", ["It opens at 9 a.m. on Monday."]),
        # a time ends a sentence in capitals too; dotted capitals elsewhere run on
        ("Khan spoke at 5 P.M. The court rose.", ["Khan spoke at 5 P.M.", "The court rose."]),
        ("It opens at 9 A.M. Mokom is due.", ["It opens at 9 A.M.", "Mokom is due."]),
        ("It opens at 10:30 P.m. Mokom is due.", ["It opens at 10:30 P.m.", "Mokom is due."]),
        ("It opens at 9.15 a.M. Mokom is due.", ["It opens at 9.15 a.M.", "Mokom is due."]),
        ("It opens at 9 A.M. on Monday.", ["It opens at 9 A.M. on Monday."]),
        ("The P.M. Said nothing.", ["The P.M. Said nothing."]),
        ("Khan met the U.N. Secretary-General at 5 P.M. Mokom left.",
         ["Khan met the U.N. Secretary-General at 5 P.M.", "Mokom left."]),
        ("Khan met the U.S. Ambassador. Mokom left.",
         ["Khan met the U.S. Ambassador.", "Mokom left."]),
        ("Prof. Smith and Ph.D. students met.", ["Prof. Smith and Ph.D. students met."]),
        ("The warlord, a.k.a. Mokom, fled.", ["The warlord, a.k.a. Mokom, fled."]),
        ("The warlord a.k.a. Mokom fled.", ["The warlord a.k.a. Mokom fled."]),
        ("Khan cited Art. 15 and No. 3 at 10 a.m. on Monday. Then left.",
         ["Khan cited Art. 15 and No. 3 at 10 a.m. on Monday.", "Then left."]),
        ("Title\nFirst line. Second.\n\n  \nShare", ["Title", "First line.", "Second.", "Share"]),
        ("Windows\r\nline", ["Windows", "line"]),
        ("  Padded .  ", ["Padded ."]),
        ("", []),
        ("\n \n", []),
    ],
)  # fmt: skip
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@given(st.text(max_size=200))
def test_split_sentences_keeps_every_word(text: str) -> None:
    sentences = split_sentences(text)
    assert all(sentence == sentence.strip() and sentence for sentence in sentences)
    assert " ".join(sentences).split() == text.split()


# --- sentence_key ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Prosecutor, Karim Khan, said:", "the prosecutor karim khan said"),
        ("The  Prosecutor\u00a0— Karim Khan\u2019s office.", "the prosecutor karim khan s office"),
        ("Le Procureur a déclaré « non ».", "le procureur a declare non"),
        ("It cost 3.5 million (12,000).", "it cost 3 5 million 12 000"),
        ("snake_case", "snake case"),
        ("...", ""),
    ],
)
def test_sentence_key(sentence: str, expected: str) -> None:
    assert sentence_key(sentence) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Karim Khan said.", "KARIM KHAN SAID"),
        ("Khan\u2019s office", "Khan's office"),
        ("Khan — led", "Khan - led"),
        ("pénale", "penale"),
        ("Karim\u00a0Khan", "Karim Khan"),
    ],
)
def test_sentence_key_ignores_surface_variants(first: str, second: str) -> None:
    assert sentence_key(first) == sentence_key(second)


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Karim A. A. Khan", ["karim", "aa", "khan"]),
        ("Karim A.A. Khan", ["karim", "aa", "khan"]),
        ("Karim A A Khan", ["karim", "aa", "khan"]),
        ("Karim AA Khan", ["karim", "aa", "khan"]),
        ("I.C.C.", ["icc"]),
        ("A, B", ["a", "b"]),  # a comma is no gap between initials
        ("Khan's Khan-led", ["khan", "s", "khan", "led"]),
        ("Kha\u00adn Mo\u0301kom", ["khan", "mokom"]),
        ("snake_case", ["snake", "case"]),
    ],
)
def test_tokenise_keys(text: str, keys: list[str]) -> None:
    assert tokenise(text).keys == keys


def test_tokenise_spans_index_the_original_text() -> None:
    text = "Le Procureur Karim A.A. Kha\u00adn\u2019s"
    tokens = tokenise(text)
    assert [text[start:end] for start, end in tokens.spans] == [
        "Le", "Procureur", "Karim", "A.A", "Kha\u00adn", "s",
    ]  # fmt: skip


@given(st.text(max_size=60))
def test_ascii_shortcut_agrees_with_the_general_path(text: str) -> None:
    ascii_text = text.encode("ascii", "ignore").decode()
    # The general path runs on any non-ASCII text: a trailing "été" sends the text down it.
    assert word_keys(ascii_text + " \u00e9t\u00e9")[:-1] == word_keys(ascii_text)
    assert tokenise(ascii_text + " \u00e9t\u00e9").keys[:-1] == tokenise(ascii_text).keys


@given(st.text(alphabet=st.sampled_from(list("ab. ?!\n\r\u2028\u00a0A\u201d")), max_size=60))
def test_sentence_spans_cover_every_visible_character(text: str) -> None:
    spans = sentence_spans(text)
    pieces = [text[start:end] for start, end in spans]
    assert all(piece and piece == piece.strip() and "\n" not in piece for piece in pieces)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    covered = {position for start, end in spans for position in range(start, end)}
    assert all(char.isspace() for position, char in enumerate(text) if position not in covered)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_sentence_key_of_ascii_text_is_the_general_definition(text: str) -> None:
    # The ASCII fast path must agree with the general path: fold() (forced onto its Unicode
    # branch by a trailing "\u00e9", cut off again) minus punctuation, single spaces.
    general = " ".join(re.sub(r"[\W_]+", " ", fold(text + "\u00e9")[:-1]).split())
    assert sentence_key(text) == general
