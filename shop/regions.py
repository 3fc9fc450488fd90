"""Countries, Japanese prefectures and postal codes.

Prefectures are stored by their Japanese name (as written on a parcel) and
shown in the reader's language.
"""

import re
from functools import cache

from babel import Locale
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# (Japanese name, English name), in the JIS X 0401 order.
PREFECTURES: tuple[tuple[str, str], ...] = (
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

_ENGLISH_BY_JAPANESE = dict(PREFECTURES)
_JAPANESE_BY_KEY = {
    **{ja: ja for ja, _en in PREFECTURES},
    **{en.lower(): ja for ja, en in PREFECTURES},
    # "東京" for "東京都", "Tokyo-to" for Tokyo: both how people type them.
    **{ja[:-1]: ja for ja, _en in PREFECTURES if ja[-1] in "都府県"},
}
_POSTAL_CODE = re.compile(r"^(\d{3})-?(\d{4})$")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－ー", "0123456789--")


def normalize_jp_postal_code(value: str) -> str:
    """Return a Japanese postal code as 123-4567, accepting full-width digits."""
    match = _POSTAL_CODE.match(value.strip().translate(_FULLWIDTH_DIGITS))
    if not match:
        raise ValueError(_("Enter a Japanese postal code like 150-0041."))
    return f"{match[1]}-{match[2]}"


def normalize_prefecture(value: str) -> str:
    """Return the Japanese name of a prefecture typed in Japanese or English."""
    key = value.strip()
    key = re.sub(r"[-\s](to|fu|ken)$", "", key, flags=re.IGNORECASE)
    japanese = _JAPANESE_BY_KEY.get(key) or _JAPANESE_BY_KEY.get(key.lower())
    if japanese is None:
        raise ValueError(_("Choose one of Japan's 47 prefectures."))
    return japanese


def region_label(country: str, region: str) -> str:
    """The region as the current reader expects to see it."""
    if country == "JP" and not (get_language() or "en").startswith("ja"):
        return _ENGLISH_BY_JAPANESE.get(region, region)
    return region


@cache
def _territories(language: str) -> dict[str, str]:
    return {
        code: name
        for code, name in Locale.parse(language).territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN"}
    }


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the current language, Japan first."""
    names = _territories((get_language() or "en").split("-")[0])
    rest = sorted(((c, n) for c, n in names.items() if c != "JP"), key=lambda c: c[1])
    return [("JP", names["JP"]), *rest]


def country_name(code: str) -> str:
    return _territories((get_language() or "en").split("-")[0]).get(code, code)
