"""Japanese text made comparable: readings for sorting, one form for search.

A Japanese catalogue is sorted by how its names are read (五十音順), not by
their kanji, and a shopper types ケトル, けとる or ｹﾄﾙ for the same thing.
Everything here turns text into one form, hiragana and lower case, whose
plain code-point order is the kana order, so PostgreSQL (with the "C"
collation) and SQLite sort it alike.
"""

import functools
import unicodedata

# Katakana ァ (U+30A1) to ヶ (U+30F6) sit exactly 0x60 above their hiragana.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def normalize(text: str) -> str:
    """One form for comparing: NFKC (half-width kana and full-width Latin
    folded), case folded, katakana as hiragana, runs of spaces as one."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.translate(_KATAKANA_TO_HIRAGANA).split())


@functools.cache
def _kakasi():
    # pykakasi loads its dictionaries on first use (a few MB): once per
    # process, and never on a page that does not write a product.
    import pykakasi

    return pykakasi.kakasi()


def reading(text: str) -> str:
    """The kana reading of Japanese text, normalised: kanji read as
    hiragana by pykakasi, kana and Latin kept. A guess for names (有田焼
    comes out ありだやき, not ありたやき): staff may give the reading."""
    if not text.strip():
        return ""
    return normalize("".join(part["hira"] for part in _kakasi().convert(text)))


def sort_reading(*, given: str, japanese: str, fallback: str) -> str:
    """What a Japanese page sorts a name by: the reading staff gave, else
    one read from the Japanese name, else the (English) fallback name."""
    if given.strip():
        return normalize(given)
    if japanese.strip():
        return reading(japanese)
    return normalize(fallback)


def search_document(*texts: str) -> str:
    """The texts a search matches, each normalised, in one string."""
    return " ".join(normalized for text in texts if (normalized := normalize(text)))
