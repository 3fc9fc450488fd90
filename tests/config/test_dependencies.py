"""Every package our code imports is one we ask for by name.

A package that arrives only because another one depends on it (redis
through celery[redis], kombu through celery) can disappear or change major
version with that other package's next release; pyproject.toml must name
what we import.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "core", "shop", "wishlist", "gifts", "support", "callbacks"]
APPS += ["privacy"]
FIRST_PARTY = {*APPS, "tests", "benchmarks"}
RUNTIME = [*APPS, "manage.py"]
DEVELOPMENT = ["tests", "benchmarks"]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*groups: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for group in groups:
        requirements += project["optional-dependencies"][group]
    return {_normalise(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}


def _imported_distributions(*places: str) -> dict[str, str]:
    """Distribution -> a file that imports it, for every third-party import."""
    distributions = importlib.metadata.packages_distributions()
    found: dict[str, str] = {}
    for place in places:
        path = ROOT / place
        files = [path] if path.suffix == ".py" else path.rglob("*.py")
        for file in files:
            for node in ast.walk(ast.parse(file.read_text(), filename=str(file))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in FIRST_PARTY:
                        continue
                    for distribution in distributions.get(top, [top]):
                        found.setdefault(
                            _normalise(distribution), str(file.relative_to(ROOT))
                        )
    return found


def test_the_application_imports_only_what_it_declares():
    missing = {
        distribution: file
        for distribution, file in _imported_distributions(*RUNTIME).items()
        if distribution not in _declared()
    }
    assert missing == {}, f"imported but not in [project].dependencies: {missing}"


def test_tests_and_benchmarks_import_only_what_they_declare():
    missing = {
        distribution: file
        for distribution, file in _imported_distributions(*DEVELOPMENT).items()
        if distribution not in _declared("test", "bench")
    }
    assert missing == {}, f"imported but not declared: {missing}"
