"""How an address is written: the one place that lays one out.

Every page, email, slip and admin screen that prints an address prints the
lines ``format_address`` returns (through ``templates/shop/includes/
address.html`` or ``address.txt``), so an address reads the same
everywhere. The layout follows the reader's language and the address's
country:

- **A Japanese address on a Japanese page**, as on a Japanese envelope and
  on Japan Post's guidance: the postal code after 〒, then the address from
  the largest place to the smallest (prefecture, city, the block and
  number), the building and room on their own line, and the recipient's
  name last with 様. Japan is implied, so it is not written::

      〒150-0041
      東京都渋谷区神南1-2-3
      ほしいマンション101
      山田 花子 様

- **A Japanese address on an English page**, as Japan Post asks mail from
  abroad to be written: the name first, from the smallest place to the
  largest, the prefecture in English, the postal code after it, and the
  country last::

      Hanako Yamada
      Hoshii Mansion 101
      1-2-3 Jinnan
      Shibuya-ku, Tokyo 150-0041
      Japan

- **Any other country**, in the generic Western layout most carriers read:
  name, street lines, "city, region postal code", country.
"""

from dataclasses import dataclass

from django.utils.translation import get_language

from shop import regions

# A Japanese line runs its parts together, as Japanese is written
# (東京都 + 渋谷区神南 + 1-2-3); only two parts typed in Latin letters keep a
# space between them (Shibuya-ku 1-2-3).
_LATIN_MAX = 0x2FF


@dataclass(frozen=True)
class PostalAddress:
    """An address to write down: an address book entry, an order's
    snapshot, or only the part of one a reader may see (``name`` and
    ``region`` of a hidden destination, the rest left empty)."""

    name: str
    country: str
    postal_code: str = ""
    region: str = ""  # a prefecture's code ("JP-13") for Japan
    city: str = ""
    line1: str = ""
    line2: str = ""
    # 様 after a person's name on a Japanese page; not after the shop's own.
    honorific: bool = True


# The shop's own address, where returns go (on packing slips and gift
# receipts, in place of any customer's).
RETURN_ADDRESS = PostalAddress(
    name="Hoshii Returns",
    country="JP",
    postal_code="135-0061",
    region="JP-13",
    city="江東区豊洲",
    line1="6-1-1",
    line2="Hoshii Fulfilment Centre",
    honorific=False,
)


def _reads_japanese(language: str | None) -> bool:
    return (language or get_language() or "en").startswith("ja")


def _join_japanese(*parts: str) -> str:
    joined = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if joined and ord(joined[-1]) <= _LATIN_MAX and ord(part[0]) <= _LATIN_MAX:
            joined += " "
        joined += part
    return joined


def _join(*parts: str, separator: str = " ") -> str:
    return separator.join(part.strip() for part in parts if part and part.strip())


def format_address(address: PostalAddress, language: str | None = None) -> list[str]:
    """The address's lines, laid out for a reader of ``language`` (the
    active language when not given); empty parts leave no empty line."""
    japanese_reader = _reads_japanese(language)
    region = regions.region_label(address.country, address.region, language)
    country = regions.country_name(address.country, language)
    if address.country == "JP" and japanese_reader:
        lines = [
            f"〒{address.postal_code}" if address.postal_code else "",
            _join_japanese(region, address.city, address.line1),
            address.line2,
            f"{address.name} 様"
            if address.name and address.honorific
            else address.name,
        ]
    elif address.country == "JP":
        lines = [
            address.name,
            address.line2,
            address.line1,
            _join(_join(address.city, region, separator=", "), address.postal_code),
            country,
        ]
    else:
        lines = [
            address.name,
            address.line1,
            address.line2,
            _join(_join(address.city, region, separator=", "), address.postal_code),
            country,
        ]
    return [line.strip() for line in lines if line and line.strip()]


def format_region(address: PostalAddress, language: str | None = None) -> str:
    """Only the region and the country, for a reader who may see no more
    of the address (a gift's giver): 東京都 / "Tokyo, Japan"."""
    region = regions.region_label(address.country, address.region, language)
    if address.country == "JP" and _reads_japanese(language):
        return region
    country = regions.country_name(address.country, language)
    if _reads_japanese(language):
        return _join(country, region)
    return _join(region, country, separator=", ")


def one_line(address: PostalAddress, language: str | None = None) -> str:
    """The address on one line, for a choice in a list (checkout)."""
    separator = " " if _reads_japanese(language) else ", "
    return separator.join(format_address(address, language))
