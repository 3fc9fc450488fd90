"""Countries, Japanese prefectures and postal codes.

A Japanese address keeps its prefecture as its ISO 3166-2 code ("JP-13"):
stable whatever language it was typed in, and shown in the reader's
language (東京都 / Tokyo). Other countries keep a free-text region.
"""

import re
import unicodedata
from functools import cache
from typing import NamedTuple

from babel import Locale
from django.utils.translation import get_language
from django.utils.translation import gettext as _


class Prefecture(NamedTuple):
    code: str  # ISO 3166-2, "JP-" and the JIS X 0401 number
    japanese: str  # as written on a parcel: 東京都
    english: str  # as Japan Post writes it in Latin letters: Tokyo


# (Japanese name, English name), in the JIS X 0401 order: the position is
# the prefecture's number.
_NAMES = (
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"),
    ("宮城県", "Miyagi"), ("秋田県", "Akita"), ("山形県", "Yamagata"),
    ("福島県", "Fukushima"), ("茨城県", "Ibaraki"), ("栃木県", "Tochigi"),
    ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"),
    ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"), ("新潟県", "Niigata"),
    ("富山県", "Toyama"), ("石川県", "Ishikawa"), ("福井県", "Fukui"),
    ("山梨県", "Yamanashi"), ("長野県", "Nagano"), ("岐阜県", "Gifu"),
    ("静岡県", "Shizuoka"), ("愛知県", "Aichi"), ("三重県", "Mie"),
    ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"),
    ("兵庫県", "Hyogo"), ("奈良県", "Nara"), ("和歌山県", "Wakayama"),
    ("鳥取県", "Tottori"), ("島根県", "Shimane"), ("岡山県", "Okayama"),
    ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"), ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"),
    ("福岡県", "Fukuoka"), ("佐賀県", "Saga"), ("長崎県", "Nagasaki"),
    ("熊本県", "Kumamoto"), ("大分県", "Oita"), ("宮崎県", "Miyazaki"),
    ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
)  # fmt: skip

PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(f"JP-{number:02d}", japanese, english)
    for number, (japanese, english) in enumerate(_NAMES, start=1)
)

_BY_KEY: dict[str, Prefecture] = {}
for _prefecture in PREFECTURES:
    _BY_KEY[_prefecture.code.lower()] = _prefecture
    _BY_KEY[_prefecture.japanese] = _prefecture
    _BY_KEY[_prefecture.english.lower()] = _prefecture
    # "東京" for "東京都": how people type them.
    if _prefecture.japanese[-1] in "都府県":
        _BY_KEY[_prefecture.japanese[:-1]] = _prefecture
del _prefecture

_POSTAL_CODE = re.compile(r"^(\d{3})-?(\d{4})$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－ー‐−", "0123456789----")
# Long vowels people write, or leave out, in Latin spellings (Hyōgo, Kouchi).
_MACRONS = str.maketrans("āēīōūÂÊÎÔÛâêîôû", "aeiouaeiouaeiou")


def normalize_jp_postal_code(value: str) -> str:
    """Return a Japanese postal code as 123-4567 (from 1234567, full-width
    digits, a leading 〒)."""
    value = value.strip().translate(_FULLWIDTH).lstrip("〒").strip()
    match = _POSTAL_CODE.match(value)
    if not match:
        raise ValueError(_("Enter a Japanese postal code like 150-0041."))
    return f"{match[1]}-{match[2]}"


def find_prefecture(value: str) -> Prefecture | None:
    """The prefecture a code or a name means, in Japanese or English, as
    people type them ("JP-13", "東京都", "東京", "Tokyo", "Tokyo-to",
    "Tōkyō"); None for anything else."""
    key = value.strip().translate(_FULLWIDTH).translate(_MACRONS)
    key = re.sub(r"[-\s](to|fu|ken|prefecture)$", "", key, flags=re.IGNORECASE)
    found = _BY_KEY.get(key) or _BY_KEY.get(key.lower())
    if found is None:  # Kyouto, Oosaka: no English name has "ou" or "oo"
        found = _BY_KEY.get(key.lower().replace("ou", "o").replace("oo", "o"))
    return found


def prefecture_code(value: str) -> str:
    """The ISO 3166-2 code of a prefecture given by code or by name."""
    prefecture = find_prefecture(value)
    if prefecture is None:
        raise ValueError(_("Choose one of Japan's 47 prefectures."))
    return prefecture.code


def _reads_japanese(language: str | None) -> bool:
    return (language or get_language() or "en").startswith("ja")


def prefecture_name(prefecture: Prefecture, language: str | None = None) -> str:
    return prefecture.japanese if _reads_japanese(language) else prefecture.english


def prefecture_choices(language: str | None = None) -> list[tuple[str, str]]:
    """The 47 prefectures in their JIS order (north to south, as every
    Japanese form lists them), named in the reader's language."""
    return [(p.code, prefecture_name(p, language)) for p in PREFECTURES]


def region_label(country: str, region: str, language: str | None = None) -> str:
    """The region as the reader expects to see it: a Japanese prefecture in
    their language, anything else as it was typed."""
    if country == "JP" and (prefecture := find_prefecture(region)) is not None:
        return prefecture_name(prefecture, language)
    return region


# Codes CLDR names that are not countries one ships to: pseudo-locales for
# testing translations, groupings, "unknown", and the exceptionally reserved
# codes whose places ISO 3166-1 files under another country (the Canary
# Islands are ES, Ascension Island is SH).
NOT_COUNTRIES = frozenset(
    {"XA", "XB", "ZZ", "QO", "EU", "EZ", "UN", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)


def _language(language: str | None) -> str:
    return (language or get_language() or "en").split("-")[0]


@cache
def _territories(language: str) -> dict[str, str]:
    return {
        code: name
        for code, name in Locale.parse(language).territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


@cache
def _sorted_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _territories(language)

    # Casefolded, accents ignored (Åland Islands among the A's). Japanese
    # names sort by code point: katakana in their gojūon order, names in
    # kanji after them, as in most Japanese shops' lists.
    def key(item: tuple[str, str]) -> str:
        decomposed = unicodedata.normalize("NFKD", item[1].casefold())
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    rest = sorted(((c, n) for c, n in names.items() if c != "JP"), key=key)
    return (("JP", names["JP"]), *rest)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """ISO 3166 countries named and sorted in the reader's language, Japan
    (where the shop ships most) first."""
    return list(_sorted_choices(_language(language)))


def country_name(code: str, language: str | None = None) -> str:
    return _territories(_language(language)).get(code, code)
