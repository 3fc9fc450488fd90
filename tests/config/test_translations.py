"""The Japanese catalogue is complete and current.

Every entry of ``locale/ja/LC_MESSAGES/django.po`` has a translation and none
is fuzzy, and ``makemessages`` would add nothing to it: a string marked for
translation in code or templates but missing from the catalogue fails here,
not in front of a Japanese customer.
"""

import ast
import re
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
# What `makemessages` skips, as in the README's command; everything else at
# the top of the repository is searched for strings.
NOT_SEARCHED = {
    "benchmarks",
    "locale",
    "media",
    "node_modules",
    "staticfiles",
    "test-artifacts",
    "tests",
    "var",
}
MAKEMESSAGES = (
    "python manage.py makemessages -l ja --ignore=.venv --ignore=benchmarks "
    "--ignore=tests --ignore=staticfiles --ignore=var --ignore=node_modules"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file (obsolete ``#~`` ones left out), each with
    its flags, context, id, plural id and translations."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "str": {}}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if field[0] == "str":
                entry["str"][field[1]] += text
            else:
                entry[field[0]] += text
        else:
            keyword, value = line.split(" ", 1)
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                field = ("str", index)
                entry["str"][index] = text
            else:
                field = (keyword, None)
                entry[keyword] = text
    return entries


def messages(path: Path) -> list[dict]:
    """The translatable entries: all but the header."""
    return [e for e in read_po(path) if e.get("msgid") or e["msgctxt"]]


def key(entry: dict) -> tuple:
    return (entry["msgctxt"], entry["msgid"])


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = messages(CATALOGUE)
    assert len(entries) > 100
    header = read_po(CATALOGUE)[0]
    assert "fuzzy" not in header["flags"]
    assert "nplurals=1; plural=0;" in header["str"][0]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [
        e["msgid"] for e in entries if not all(s.strip() for s in e["str"].values())
    ]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in messages(CATALOGUE):
        source = entry["msgid_plural"] or entry["msgid"]
        expected = sorted(PLACEHOLDER.findall(source))
        for text in entry["str"].values():
            if sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry["msgid"], text))
    assert not wrong, wrong


def test_makemessages_would_add_nothing(tmp_path, settings, monkeypatch):
    """Runs the real makemessages over a mirror of the repository (symlinks)
    that writes into a temporary locale folder, never into ours."""
    for source in ROOT.iterdir():
        if source.name not in NOT_SEARCHED and not source.name.startswith("."):
            (tmp_path / source.name).symlink_to(source)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["ja"], symlinks=True, verbosity=0)
    extracted = {key(e) for e in messages(tmp_path / CATALOGUE.relative_to(ROOT))}
    new = sorted(
        msgid for _context, msgid in extracted - {key(e) for e in messages(CATALOGUE)}
    )
    assert not new, (
        f"{len(new)} strings are marked for translation but not in "
        f"{CATALOGUE.relative_to(ROOT)}. Run `{MAKEMESSAGES}` and translate "
        f"them: {new}"
    )
