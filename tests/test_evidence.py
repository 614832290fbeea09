"""The evidence classifier: one status per sentence, by the rules of DESIGN.md 3.3.

confirmed: cites a source and does not hedge; reported: attributed ("according to", "said",
a quotation); assessed: a term of the estimative scale (ICD 203 by default); speculative:
hedged outside the scale; unsourced: a plain assertion. A hedge outweighs a scale term, a
scale term outweighs an attribution, an attribution outweighs a citation. Sentences are
also tagged with the topics whose label or aliases they mention.
"""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osce_digest import evidence
from osce_digest.config import load_lexicon
from osce_digest.evidence import Classifier, badge_label, badge_title, weakest
from osce_digest.model import Evidence, TopicMeta

TOPICS = (
    TopicMeta("ukraine", "Ukraine", ("Ukrainian", "Kyiv")),
    TopicMeta("arms-control", "Arms control", ("arms control", "New START")),
    TopicMeta("osce", "OSCE", ("Helsinki Final Act",)),
    TopicMeta("nato-expansion", "NATO expansion", ("NATO enlargement",)),
)


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(load_lexicon("icd203"), TOPICS)


# --- confirmed and unsourced ------------------------------------------------------------


def test_a_cited_plain_statement_is_confirmed(classifier: Classifier) -> None:
    found = classifier.classify("Lavrov left the room before Blinken spoke.", cited=True)
    assert found.evidence is Evidence.CONFIRMED
    assert (found.term, found.hedges, found.attribution) == (None, (), None)


def test_an_uncited_plain_statement_is_unsourced(classifier: Classifier) -> None:
    found = classifier.classify("Lavrov left the room before Blinken spoke.", cited=False)
    assert found.evidence is Evidence.UNSOURCED


def test_a_citation_does_not_confirm_a_hedged_statement(classifier: Classifier) -> None:
    found = classifier.classify("The two may have spoken in the corridor.", cited=True)
    assert found.evidence is Evidence.SPECULATIVE
    assert found.hedges == ("may",)


def test_a_citation_does_not_confirm_an_estimate(classifier: Classifier) -> None:
    found = classifier.classify("A new treaty is unlikely before 2026.", cited=True)
    assert found.evidence is Evidence.ASSESSED


# --- reported ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("According to AFP, the two never met.", "according to"),
        ("Blinken said the door remained open.", "said"),
        ("Lavrov told reporters that Russia was ready.", "told reporters"),
        ("The spokesman says nothing was planned.", "says"),
        ("The ministry stated that no meeting took place.", "stated"),
        ("The two reportedly exchanged a few words.", "reportedly"),
        ("Moscow claimed the talks were constructive.", "claimed"),
        ("The Chair announced the next Council.", "announced"),
    ],
)
def test_an_attributed_statement_is_reported(
    classifier: Classifier, sentence: str, cue: str
) -> None:
    found = classifier.classify(sentence, cited=False)
    assert found.evidence is Evidence.REPORTED
    assert found.attribution == cue


def test_a_quotation_of_three_words_or_more_is_reported(classifier: Classifier) -> None:
    for sentence in (
        "The communiqu\u00e9 spoke of \u201ca step toward peace\u201d in Europe.",
        'Lavrov, in his speech: "the West is to blame."',
    ):
        found = classifier.classify(sentence, cited=False)
        assert found.evidence is Evidence.REPORTED, sentence
        assert found.attribution == "quotation"


def test_scare_quotes_of_one_or_two_words_are_not_a_quotation(classifier: Classifier) -> None:
    for sentence in ('The "talks" were brief.', "It was a \u201cfrank exchange\u201d at best."):
        found = classifier.classify(sentence, cited=False)
        assert found.evidence is Evidence.UNSOURCED, sentence
        assert found.attribution is None


def test_attribution_words_inside_other_words_do_not_count(classifier: Classifier) -> None:
    found = classifier.classify("The so-called peace plan was unsaid.", cited=False)
    assert found.evidence is Evidence.UNSOURCED
    assert found.attribution is None


# --- assessed: every term and synonym of ICD 203 -----------------------------------------

ICD203 = [
    # (words, band, low, high, column)
    ("almost no chance", "almost no chance", 1, 5, "term"),
    ("remote chance", "almost no chance", 1, 5, "synonym"),
    ("remote possibility", "almost no chance", 1, 5, "synonym"),
    ("very unlikely", "very unlikely", 5, 20, "term"),
    ("highly improbable", "very unlikely", 5, 20, "synonym"),
    ("unlikely", "unlikely", 20, 45, "term"),
    ("improbable", "unlikely", 20, 45, "synonym"),
    ("roughly even chance", "roughly even chance", 45, 55, "term"),
    ("roughly even odds", "roughly even chance", 45, 55, "synonym"),
    ("likely", "likely", 55, 80, "term"),
    ("probable", "likely", 55, 80, "synonym"),
    ("very likely", "very likely", 80, 95, "term"),
    ("highly probable", "very likely", 80, 95, "synonym"),
    ("almost certain", "almost certain", 95, 99, "term"),
    ("nearly certain", "almost certain", 95, 99, "synonym"),
]


@pytest.mark.parametrize(
    ("words", "band", "low", "high", "column"), ICD203, ids=[row[0] for row in ICD203]
)
def test_each_icd_203_term_and_synonym_is_assessed_with_its_band(
    classifier: Classifier, words: str, band: str, low: int, high: int, column: str
) -> None:
    found = classifier.classify(f"A deal before the summit is {words}.", cited=False)
    assert found.evidence is Evidence.ASSESSED
    assert found.term is not None
    assert (found.term.term, found.term.band, found.term.low, found.term.high) == (
        words,
        band,
        low,
        high,
    )
    assert found.term.column == column
    assert found.hedges == ()


@pytest.mark.parametrize(
    ("sentence", "words", "band"),
    [
        ("Lavrov probably defended Russia's actions.", "probably", "likely"),
        ("The talks improbably resumed.", "improbably", "unlikely"),
        ("The Council will almost certainly adopt nothing.", "almost certainly", "almost certain"),
        ("Moscow will nearly certainly object.", "nearly certainly", "almost certain"),
    ],
)
def test_adverb_forms_of_the_scale_are_assessed(
    classifier: Classifier, sentence: str, words: str, band: str
) -> None:
    found = classifier.classify(sentence, cited=False)
    assert found.evidence is Evidence.ASSESSED
    assert found.term is not None
    assert (found.term.term, found.term.band) == (words, band)


def test_the_longest_term_wins(classifier: Classifier) -> None:
    found = classifier.classify("Agreement is very unlikely this year.", cited=False)
    assert found.term is not None
    assert (found.term.term, found.term.low, found.term.high) == ("very unlikely", 5, 20)


def test_likely_inside_unlikely_is_not_the_term_likely(classifier: Classifier) -> None:
    found = classifier.classify("It is unlikely.", cited=False)
    assert found.term is not None
    assert found.term.band == "unlikely"


def test_an_estimate_with_an_attribution_is_assessed(classifier: Classifier) -> None:
    found = classifier.classify("Blinken likely said the door was open.", cited=False)
    assert found.evidence is Evidence.ASSESSED
    assert found.attribution == "said"


def test_a_confidence_level_is_recorded_beside_the_estimate(classifier: Classifier) -> None:
    found = classifier.classify(
        "We judge with moderate confidence that talks are likely.", cited=False
    )
    assert found.evidence is Evidence.ASSESSED
    assert found.confidence == "moderate confidence"


def test_another_scale_brings_its_own_terms() -> None:
    phia = Classifier(load_lexicon("phia"), TOPICS)
    found = phia.classify("A deal is a realistic possibility.", cited=False)
    assert found.evidence is Evidence.ASSESSED
    assert found.term is not None
    assert (found.term.band, found.term.low, found.term.high) == ("realistic possibility", 40, 50)
    kent = Classifier(load_lexicon("kent"), TOPICS)
    found = kent.classify("Moscow will probably not attend.", cited=False)
    assert found.term is not None
    assert (found.term.term, found.term.low, found.term.high) == ("probably not", 20, 40)


# --- speculative --------------------------------------------------------------------------

HEDGED = [
    ("may", "The two may have spoken."),
    ("might", "The two might have spoken."),
    ("could", "Arms control could have come up."),
    ("possibly", "They possibly met in the corridor."),
    ("perhaps", "Perhaps they met in the corridor."),
    ("presumably", "They presumably met in the corridor."),
    ("apparently", "They apparently met in the corridor."),
    ("seemingly", "The meeting was seemingly cordial."),
    ("it seems", "It seems they met in the corridor."),
    ("it is safe to assume", "It is safe to assume that Ukraine was a central topic."),
    ("it is believed", "It is believed that they met."),
    ("it is hoped", "It is hoped that this meeting will pave the way."),
    ("must have", "They must have discussed Ukraine."),
    ("no doubt", "No doubt they discussed Ukraine."),
    ("arguably", "The meeting was arguably historic."),
]


@pytest.mark.parametrize(("hedge", "sentence"), HEDGED, ids=[h for h, _ in HEDGED])
def test_a_hedge_outside_the_scale_is_speculative(
    classifier: Classifier, hedge: str, sentence: str
) -> None:
    found = classifier.classify(sentence, cited=False)
    assert found.evidence is Evidence.SPECULATIVE
    assert found.hedges == (hedge,)


def test_it_is_safe_to_assume_is_found_across_a_line_break(classifier: Classifier) -> None:
    found = classifier.classify("It is safe to\nassume that they met.", cited=False)
    assert found.evidence is Evidence.SPECULATIVE
    assert found.hedges == ("it is safe to assume",)


def test_a_hedge_outweighs_an_estimative_term(classifier: Classifier) -> None:
    found = classifier.classify(
        "While the meeting is unlikely to alter relations, it could serve as a barometer.",
        cited=False,
    )
    assert found.evidence is Evidence.SPECULATIVE
    assert found.hedges == ("could",)
    assert found.term is not None
    assert found.term.term == "unlikely"


def test_every_hedge_of_a_sentence_is_listed_in_order(classifier: Classifier) -> None:
    found = classifier.classify("Cooperation may be limited, and it could fail.", cited=False)
    assert found.hedges == ("may", "could")


@pytest.mark.parametrize(
    "sentence",
    ["Talks resumed in May 2024.", "May 2024 was calm.", "The May talks failed.", "May 5 came."],
)
def test_the_month_may_is_not_a_hedge(classifier: Classifier, sentence: str) -> None:
    found = classifier.classify(sentence, cited=True)
    assert found.hedges == ()
    assert found.evidence is Evidence.CONFIRMED


def test_the_verb_may_beside_the_month_is_still_a_hedge(classifier: Classifier) -> None:
    found = classifier.classify("They may meet again in May 2025.", cited=True)
    assert found.evidence is Evidence.SPECULATIVE
    assert found.hedges == ("may",)


def test_hedge_words_inside_other_words_do_not_count(classifier: Classifier) -> None:
    found = classifier.classify("The mayor and the maybe-list were discussed.", cited=True)
    assert found.hedges == ()
    assert found.evidence is Evidence.CONFIRMED


# --- topics -----------------------------------------------------------------------------


def test_a_sentence_is_tagged_with_the_topics_it_mentions(classifier: Classifier) -> None:
    found = classifier.classify("New START and Kyiv came up.", cited=False)
    assert found.topics == ("ukraine", "arms-control")


def test_topics_come_in_vocabulary_order(classifier: Classifier) -> None:
    assert classifier.topics_in("The OSCE, arms control and Ukraine.") == (
        "ukraine",
        "arms-control",
        "osce",
    )


def test_the_label_of_a_topic_is_an_alias(classifier: Classifier) -> None:
    assert classifier.topics_in("Arms control stalled.") == ("arms-control",)
    assert classifier.topics_in("NATO expansion came up.") == ("nato-expansion",)


def test_aliases_ignore_case(classifier: Classifier) -> None:
    assert classifier.topics_in("ARMS CONTROL stalled.") == ("arms-control",)
    assert classifier.topics_in("the new start treaty expires.") == ("arms-control",)
    assert classifier.topics_in("the helsinki final act") == ("osce",)


def test_acronyms_match_only_in_capitals(classifier: Classifier) -> None:
    assert classifier.topics_in("The OSCE met.") == ("osce",)
    assert classifier.topics_in("The OSCE's role.") == ("osce",)
    assert classifier.topics_in("The osce met.") == ()
    assert classifier.topics_in("The Osce met.") == ()


def test_phrases_match_across_white_space_and_line_breaks(classifier: Classifier) -> None:
    assert classifier.topics_in("Arms\ncontrol stalled.") == ("arms-control",)
    assert classifier.topics_in("arms   control stalled.") == ("arms-control",)
    assert classifier.topics_in("the Helsinki\nFinal  Act") == ("osce",)


def test_aliases_match_whole_words_only(classifier: Classifier) -> None:
    assert classifier.topics_in("A Kyivstar phone rang.") == ()
    assert classifier.topics_in("The KOSCEX index fell.") == ()
    assert classifier.topics_in("Kyiv's envoy spoke.") == ("ukraine",)


def test_overlapping_aliases_of_different_topics_are_all_found() -> None:
    """The one-scan search finds what each topic's own pattern finds, overlaps included."""
    topics = (
        TopicMeta("sea", "Black Sea", ("Black Sea region",)),
        TopicMeta("fleet", "Black Sea Fleet"),
        TopicMeta("grain", "Grain", ("Black Sea grain deal", "grain exports")),
        TopicMeta("eu", "EU", ("European Union",)),
        TopicMeta("europe", "Europe", ("European",)),
        TopicMeta("sea-lanes", "Sea lanes", ("sea-lanes",)),
    )
    lexicon = load_lexicon("icd203")
    split = Classifier(lexicon, topics)
    alone = [(t.key, Classifier(lexicon, [t])) for t in topics]

    def each_alone(text: str) -> tuple[str, ...]:
        return tuple(key for key, classifier in alone if classifier.topics_in(text))

    sentences = [
        "The Black Sea Fleet sailed.",
        "The Black Sea grain deal lapsed; grain exports fell.",
        "The black sea region and the European Union.",
        "EU and Europe, but not the eu.",
        "Sea-lanes and sea lanes near the Black-Sea.",
        "Europeans and Black Seas are not aliases.",
    ]
    for sentence in sentences:
        assert split.topics_in(sentence) == each_alone(sentence), sentence
    assert split.topics_in("The Black Sea Fleet sailed.") == ("sea", "fleet")
    assert split.topics_in("The Black Sea grain deal lapsed.") == ("sea", "grain")
    assert split.topics_in("EU and Europe, but not the eu.") == ("eu", "europe")


# --- statuses as a whole ------------------------------------------------------------------


def test_the_weakest_status_of_several_is_the_last_in_order() -> None:
    assert weakest([Evidence.CONFIRMED, Evidence.SPECULATIVE]) is Evidence.SPECULATIVE
    assert weakest([Evidence.SPECULATIVE, Evidence.UNSOURCED]) is Evidence.UNSOURCED
    assert weakest([Evidence.REPORTED, Evidence.ASSESSED]) is Evidence.ASSESSED
    assert weakest([]) is None


def test_an_assessed_badge_names_the_band_and_its_probabilities(classifier: Classifier) -> None:
    found = classifier.classify("It is highly probable.", cited=False)
    assert badge_label(found.evidence, found.term) == "assessed: very likely, 80\u201395%"
    title = badge_title(found.evidence, found.term, found.hedges, found.attribution)
    assert title.startswith("Assessed.")
    assert "\u201chighly probable\u201d means 80\u201395%" in title


def test_a_speculative_badge_quotes_the_hedge(classifier: Classifier) -> None:
    found = classifier.classify("It is safe to assume they met.", cited=False)
    assert badge_label(found.evidence, found.term) == "speculative"
    title = badge_title(found.evidence, found.term, found.hedges, found.attribution)
    assert "Found: \u201cit is safe to assume\u201d" in title


# --- the word filter --------------------------------------------------------------------

_LEXICON = load_lexicon("icd203")
_PHRASES = sorted(
    {
        *_LEXICON.hedges,
        *_LEXICON.attributions,
        *_LEXICON.confidence,
        *(t.term for t in _LEXICON.terms),
        *(a for t in TOPICS for a in (t.label, *t.aliases)),
    }
)
_FOLDS = str.maketrans({"s": "\u017f", "k": "\u212a", "i": "\u0130"})
"""Letters the pattern matches regardless of case that ``str.lower`` does not give back."""
_PIECES = st.one_of(
    st.sampled_from(_PHRASES),
    st.sampled_from(_PHRASES).map(lambda phrase: phrase.translate(_FOLDS)),
    st.sampled_from(["the", "talks", "May", "may", "5", "so-called", "it's", "\u201cnever\u201d"]),
    st.text(alphabet="aekKsS\u017f\u212a\u0130i-_ '\u00e9", max_size=6),
)
_SEPARATORS = st.sampled_from([" ", "  ", "-", "\n", ", ", "", "_", "\u00a0"])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(_PIECES, _SEPARATORS), max_size=12),
    st.sampled_from([str, str.upper, str.lower, str.swapcase, str.title]),
)
def test_skipping_patterns_by_the_words_of_a_sentence_never_changes_a_finding(
    pieces: list[tuple[str, str]], case: Callable[[str], str]
) -> None:
    """The classifier runs a pattern only on sentences holding a word that can start its
    match; whatever the sentence (case, hyphens, non-ASCII letters whose case folding
    differs), it finds what running every pattern finds."""
    classifier = Classifier(_LEXICON, TOPICS)
    text = case("".join(piece + separator for piece, separator in pieces))
    filtered = classifier.classify(text, cited=True)
    with mock.patch.object(evidence, "_words_of", return_value=None):
        unfiltered = classifier.classify(text, cited=True)
    assert filtered == unfiltered
    assert classifier.topics_in(text) == filtered.topics


def test_the_word_filter_finds_phrases_broken_over_lines_and_joined_by_hyphens(
    classifier: Classifier,
) -> None:
    found = classifier.classify("New\nSTART talks, an arms control-related file, may-be.", True)
    assert found.topics == ("arms-control",)
    assert found.hedges == ()  # "may-be" is not the hedge "may"
    found = classifier.classify("\u212ayiv\u2019s \u201cpo\u017f\u017fibly\u201d", True)
    assert found.topics == ("ukraine",)  # the Kelvin sign is a K to the pattern
    assert found.hedges == ("po\u017f\u017fibly",)
    found = classifier.classify("Kyiv-backed\nNATO   enlargement may resume.", True)
    assert found.topics == ("ukraine", "nato-expansion")
    assert found.hedges == ("may",)


def test_sentences_whose_only_non_ascii_characters_are_marks_are_filtered_by_their_words() -> None:
    assert evidence._words_of("\u201cIt may\u201d \u2014 she\u00a0said.") == {
        "it",
        "may",
        "she",
        "said",
    }
    assert evidence._words_of("The communiqu\u00e9 may say so.") is None  # every pattern runs
