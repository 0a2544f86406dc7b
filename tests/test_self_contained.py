"""The repository stands alone: no code or test opens a path outside it, the reference facts the
tests check against live in it (tests/reference/), and nothing is skipped when something is
missing. A council's analyst, a reviewer or a packager clones it alone, with nothing beside it.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "reference"
# Code and configuration, as opposed to prose (README files may say where facts came from).
CONFIG_SUFFIXES = {".yml", ".yaml", ".toml", ".sql", ".cfg", ".ini", ".j2", ".html", ".css", ".sh"}
CONFIG_NAMES = {"Makefile", "run"}
# Path words that always mean "outside": the brief's folder beside the repository.
OUTSIDE_WORDS = re.compile(r"shared/reference|\.\./shared|\$\(CURDIR\)/\.\.")
PARENT_IN_STRING = re.compile(r"(^|/)\.\./|/\.\.$")
# The tests that read tests/reference/, run again from a copy with nothing beside it.
REFERENCE_TESTS = [
    "test_matches_the_ssd_reference",  # test_contract.py
    "test_seed_figures_table_matches_the_reference",  # test_generator.py
    "test_seed_figures_file_is_there",  # test_calibration.py
]


def repository_files() -> list[Path]:
    """The files a clone has: tracked ones and new ones git does not ignore."""
    if (REPO / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout.decode()
        names = [name for name in listed.split("\0") if name]
    else:  # an unpacked archive: everything but what .gitignore names
        ignored = [
            line.strip().rstrip("/")
            for line in (REPO / ".gitignore").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        names = [
            str(p.relative_to(REPO))
            for p in REPO.rglob("*")
            if p.is_file()
            and not any(
                fnmatch(part, pattern)
                for pattern in [".git", *ignored]
                for part in p.relative_to(REPO).parts
            )
        ]
    return sorted(REPO / name for name in names if (REPO / name).is_file())


# -- paths built from __file__ or from the repository root, evaluated by depth ---------------
# A path's depth is how many folders below the repository root it is: the root is 0, a file in
# the root is 1. Anything that goes below 0 is outside the repository.
def _segments(value: str) -> int:
    depth = 0
    for part in Path(value).parts:
        depth += -1 if part == ".." else 0 if part in (".", "") else 1
    return depth


class PathDepths(ast.NodeVisitor):
    def __init__(self, relative: Path, root_names: set[str]):
        self.file_depth = len(relative.parts)
        self.root_names = root_names
        self.assigned: dict[str, int] = {}
        self.escapes: list[tuple[int, str]] = []

    def depth(self, node: ast.AST) -> int | None:
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return self.file_depth
            if node.id in self.assigned:
                return self.assigned[node.id]
            return 0 if node.id in self.root_names else None
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            inner = self.depth(node.value)
            return None if inner is None else inner - 1
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "parents"
            and isinstance(node.slice, ast.Constant)
        ):
            inner = self.depth(node.value.value)
            return None if inner is None else inner - 1 - int(node.slice.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            inner = self.depth(node.left)
            if inner is not None and isinstance(node.right, ast.Constant):
                return inner + _segments(str(node.right.value))
            return inner
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("resolve", "absolute", "with_name", "with_suffix", "expanduser"):
                return self.depth(func.value) if isinstance(func, ast.Attribute) else None
            if name in ("Path", "PurePath", "abspath", "realpath", "normpath") and node.args:
                return self.depth(node.args[0])
            if name == "dirname" and node.args:
                inner = self.depth(node.args[0])
                return None if inner is None else inner - 1
            if name == "join" and node.args:
                inner = self.depth(node.args[0])
                if inner is None:
                    return None
                return inner + sum(
                    _segments(str(a.value)) for a in node.args[1:] if isinstance(a, ast.Constant)
                )
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        value = self.depth(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and value is not None:
                self.assigned[target.id] = value
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.expr):
            value = self.depth(node)
            if value is not None and value < 0:
                self.escapes.append((node.lineno, ast.unparse(node)))
                return
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (OUTSIDE_WORDS.search(node.value) or PARENT_IN_STRING.search(node.value))
        ):
            self.escapes.append((node.lineno, repr(node.value)))
        super().generic_visit(node)


def python_files() -> list[Path]:
    """Every Python file but this one (whose examples and patterns name what they look for)."""
    this = Path(__file__).resolve()
    return [p for p in repository_files() if p.suffix == ".py" and p != this]


def root_names(files: list[Path]) -> set[str]:
    """Names bound anywhere to the repository root itself (PROJECT_ROOT, REPO, ...)."""
    names: set[str] = set()
    for path in files:
        visitor = PathDepths(path.relative_to(REPO), set())
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        names |= {name for name, depth in visitor.assigned.items() if depth == 0}
    return names


def escaping_paths(path: Path, roots: set[str]) -> list[tuple[int, str]]:
    visitor = PathDepths(path.relative_to(REPO), roots)
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return visitor.escapes


def test_the_depth_check_finds_paths_that_leave_the_repository():
    """The check below is only worth having if it catches what was here before."""
    before = (
        'REPO = Path(__file__).resolve().parents[1]\nA = REPO.parent / "shared" / "x.csv"\n'
        'B = Path(__file__).resolve().parents[2] / "shared"\nC = PROJECT_ROOT / ".." / "x"\n'
        "D = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))\n"
        'E = "../shared/reference/seed-figures.csv"\n'
        'F = Path(__file__).resolve().parent / "reference" / "x.csv"\n'
    )
    visitor = PathDepths(Path("tests/test_x.py"), {"PROJECT_ROOT"})
    visitor.visit(ast.parse(before))
    assert sorted({line for line, _ in visitor.escapes}) == [2, 3, 4, 5, 6]
    assert visitor.assigned["F"] == 3 and visitor.assigned["REPO"] == 0


def test_no_code_or_test_builds_a_path_outside_the_repository():
    files = python_files()
    roots = root_names(files)
    assert "PROJECT_ROOT" in roots  # pipelines/settings.py: the check sees the usual names
    found = [
        f"{path.relative_to(REPO)}:{line}: {text}"
        for path in files
        for line, text in escaping_paths(path, roots)
    ]
    assert not found, "paths outside the repository:\n" + "\n".join(found)


def test_no_configuration_names_a_folder_beside_the_repository():
    found = []
    for path in repository_files():
        if path.suffix in CONFIG_SUFFIXES or path.name in CONFIG_NAMES:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if OUTSIDE_WORDS.search(line):
                    found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_reference_copies_are_the_ones_their_readme_records():
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"^\| `([\w.-]+)` \|.*?sha256 `([0-9a-f]{64})`", readme, re.M))
    files = {p.name for p in REFERENCE.iterdir() if p.name != "README.md"}
    assert set(recorded) == files, "every reference file needs a README line saying its source"
    for name, digest in recorded.items():
        assert hashlib.sha256((REFERENCE / name).read_bytes()).hexdigest() == digest, name


def test_no_test_is_skipped_when_something_is_missing():
    """A skipped test reads as a pass: a missing tool or file fails instead (make system-deps)."""
    skipping = re.compile(r"pytest\.skip\(|importorskip\(|mark\.skipif|mark\.skip\b")
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in python_files()
        if path.is_relative_to(REPO / "tests")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if skipping.search(line)
    ]
    assert not found, "\n".join(found)


def test_a_lone_copy_collects_every_test_and_reads_its_own_reference(tmp_path):
    """Copy the repository into an empty folder and run pytest there, nothing beside it: the
    whole suite must collect, and the tests that read tests/reference/ must pass."""
    lone = tmp_path / "empty" / "boardpack"
    for path in repository_files():
        target = lone / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    assert [p.name for p in lone.parent.iterdir()] == ["boardpack"]
    # The copy's own code, not the installed (editable) checkout's.
    env = {**os.environ, "PYTHONPATH": str(lone), "PYTHONDONTWRITEBYTECODE": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import pipelines; print(pipelines.__file__)"],
        cwd=lone,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(lone)

    # One run: every test module is collected (an error there fails the run), three are run.
    selected = " or ".join(REFERENCE_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-k", selected],
        cwd=lone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(rf"^{len(REFERENCE_TESTS)} passed, \d+ deselected", result.stdout, re.M), (
        result.stdout[-3000:]
    )
