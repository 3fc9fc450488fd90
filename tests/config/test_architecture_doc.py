"""docs/architecture.md says what is true of the code: its apps, its import
contracts, and every file, test, dotted name and setting it names."""

import importlib
import re
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CONTRACTS = PYPROJECT["tool"]["importlinter"]["contracts"]

FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`([^`\n]+)`")
FIRST_PARTY = r"(?:config|core|shop|wishlist|gifts|support|callbacks|privacy)"
DOTTED = re.compile(rf"^{FIRST_PARTY}(?:\.[A-Za-z_]\w*)+$")
OUR_SETTING = re.compile(
    r"^(?:CORE|SHOP|WISHLIST|GIFT|SUPPORT|CALLBACKS|PRIVACY|DEMO|CELERY)_[A-Z0-9_]+$"
)


def text() -> str:
    return DOC.read_text()


def section(title: str) -> str:
    """The body of the ``title`` heading, up to the next heading of any level."""
    match = re.search(
        rf"^#+ {re.escape(title)}\n(.*?)(?=^#)", text(), re.MULTILINE | re.DOTALL
    )
    assert match, f"docs/architecture.md has no section {title!r}"
    return match.group(1)


def inline_code() -> list[str]:
    """What the page puts in backticks, outside its fenced blocks."""
    return CODE.findall(FENCED.sub("", text()))


def our_apps() -> set[str]:
    """The installed apps that are folders of this project."""
    return {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    }


def test_the_apps_in_the_tree_are_exactly_our_installed_apps():
    tree = FENCED.search(section("The apps")).group(0)
    folders = re.findall(r"^(\w+)/\s", tree, re.MULTILINE)
    missing = [folder for folder in folders if not (ROOT / folder).is_dir()]
    assert not missing, f"folders named in the tree that do not exist: {missing}"
    listed_apps = {folder for folder in folders if (ROOT / folder / "apps.py").exists()}

    assert listed_apps == our_apps(), (
        f"in INSTALLED_APPS, not in the tree: {sorted(our_apps() - listed_apps)}; "
        f"in the tree, not installed: {sorted(listed_apps - our_apps())}"
    )


def test_every_app_is_under_the_import_contracts():
    roots = set(PYPROJECT["tool"]["importlinter"]["root_packages"])

    assert our_apps() <= roots, f"not checked by lint-imports: {our_apps() - roots}"


def test_the_import_contracts_listed_are_exactly_those_in_pyproject():
    listed = set(re.findall(r'^- "(.+)"$', section("The import contracts"), re.M))
    declared = {contract["name"] for contract in CONTRACTS}

    assert listed == declared, (
        f"in pyproject.toml, not in the doc: {sorted(declared - listed)}; "
        f"in the doc, not in pyproject.toml: {sorted(listed - declared)}"
    )


def exists(code: str) -> bool:
    """A file or folder (a trailing slash: a folder), or a test in a file."""
    path, _, test = code.partition("::")
    found = ROOT / path
    if not (found.is_dir() if path.endswith("/") else found.exists()):
        return False
    return not test or f"def {test}(" in found.read_text()


def test_every_path_the_page_names_exists():
    named = [
        code
        for code in inline_code()
        if "/" in code and not re.search(r"[\s<>…{}]|^/|://", code)
    ]
    assert named, "found no paths: the pattern is wrong"
    missing = [code for code in named if not exists(code)]

    assert not missing, f"named in docs/architecture.md, but not there: {missing}"


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_dotted_name_the_page_names_imports():
    dotted = [code.removesuffix("()") for code in inline_code()]
    dotted = [code for code in dotted if DOTTED.match(code)]
    assert dotted, "found no dotted names: the pattern is wrong"

    unresolved = [code for code in dotted if not resolves(code)]

    assert not unresolved, f"named in docs/architecture.md, do not import: {unresolved}"


def test_every_setting_of_ours_the_page_names_exists():
    named = [code for code in inline_code() if OUR_SETTING.match(code)]
    assert named, "found no settings: the pattern is wrong"

    unknown = [name for name in named if not hasattr(settings, name)]

    assert not unknown, f"named in docs/architecture.md, not settings: {unknown}"


def test_every_link_within_the_page_has_a_heading():
    headings = re.findall(r"^#+ (.+)$", FENCED.sub("", text()), re.MULTILINE)
    slugs = {
        re.sub(r"[^\w\- ]", "", heading).lower().replace(" ", "-")
        for heading in headings
    }
    anchors = re.findall(r"\]\(#([^)]+)\)", text())
    assert anchors, "found no links: the pattern is wrong"

    assert set(anchors) <= slugs, f"links to no heading: {set(anchors) - slugs}"
