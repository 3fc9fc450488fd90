"""The README's configuration table names every variable the code reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(
    r"""(?:env(?:\.\w+)?|environ\.get|os\.environ\.setdefault)\(\s*"([A-Z][A-Z0-9_]+)\""""
)


def test_every_environment_variable_is_documented():
    sources = [*ROOT.glob("config/**/*.py"), *ROOT.glob("*/settings*.py")]
    names = {name for path in sources for name in READ.findall(path.read_text())}
    readme = (ROOT / "README.md").read_text()
    assert names, "found no environment variables: the pattern is wrong"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"not in the README's configuration table: {missing}"


def test_the_readme_points_only_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    outside = re.findall(r"[`(]\.\./[^`)\s]*", readme)

    assert not outside, f"the README names paths outside the repository: {outside}"
    assert "(docs/architecture.md)" in readme, "the README links the architecture"
