"""Every command of the README is run by a test: a README example without one cannot ship.

The commands are the lines of the README's ```bash blocks (comments dropped). COVERED maps each
of them to the tests that run it; the test below fails when the README has a command COVERED
does not know, when COVERED names a command the README no longer has, or when it names a test
that does not exist. Add a command to the README: add its test and its line here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: README command -> the tests that run it ("file::test"), and how, where it is not verbatim.
COVERED: dict[str, tuple[tuple[str, ...], str]] = {
    "make run": (
        ("tests/test_end_to_end.py::test_every_notebook_ran_and_is_recorded",
         "tests/test_readme_commands.py::test_make_run_defaults_are_the_seeds_into_output",
         "tests/test_readme_commands.py::test_make_run_again_into_the_corpus_reads_the_same_documents"),
        "its recipe with the defaults is `tifa run --corpus seeds --out output` (make -n), which "
        "test_end_to_end runs on seeds/ into a temporary folder; the make target itself runs "
        "with CORPUS/OUT/ARGS in test_make_run_again_into_the_corpus_reads_the_same_documents"),
    "make test": (
        ("tests/test_readme.py::test_ci_runs_make_test",),
        "run by CI: .ci/run calls `make test` (a test cannot run the suite it belongs to)"),
    "make lab": (
        ("tests/test_readme_commands.py::test_make_lab_answers_on_localhost",),
        "started with LAB_ARGS for a free port and --no-browser, checked on 127.0.0.1, stopped"),
    ".venv/bin/tifa run --corpus ~/my_reports --out out/": (
        ("tests/test_end_to_end.py::test_every_notebook_ran_and_is_recorded",
         "tests/test_end_to_end.py::test_corpus_tables"),
        "a folder corpus (seeds/) into a temporary folder"),
    ".venv/bin/tifa run --corpus ~/my_reports --out out/ --only 00": (
        ("tests/test_readme_commands.py::test_corpus_dot_with_an_old_output_inside_reads_only_the_reports",),
        "--only 00 with --corpus . on a folder holding an earlier run's output"),
    ".venv/bin/tifa run --corpus ~/my_reports --out out/ -p manifest meta.csv -p by category": (
        ("tests/test_readme_commands.py::test_manifest_run_groups_every_table_by_category",
         "tests/test_readme_commands.py::test_manifest_run_keeps_the_manifest_columns_in_the_stage",
         "tests/test_readme_commands.py::test_manifest_run_does_not_read_its_own_output"),
        "verbatim but for --out reports/out (inside the corpus, the issue-12 trap)"),
    ".venv/bin/tifa run --corpus reports.csv --out out/ -p text_column 正文 -p by 省份": (
        ("tests/test_readme_commands.py::test_table_run_groups_every_table_by_province",
         "tests/test_readme_commands.py::test_table_run_reads_the_named_text_column_everywhere"),
        "verbatim, on a table built from the seeds"),
    "make run CORPUS=~/my_reports OUT=out": (
        ("tests/test_readme_commands.py::test_make_run_again_into_the_corpus_reads_the_same_documents",),
        "with ARGS (manifest, by, --only 00), a second run into an output folder inside the corpus"),
    'pip install -e ".[dask]"': (
        ("tests/test_readme_commands.py::test_pip_install_dask_extra_is_what_dev_installs",
         "tests/test_dask_backend.py::test_tokenize_on_dask_equals_local"),
        "checked, not run (it needs the network): the extra exists and is installed by dev"),
}


def readme_commands(text: str) -> list[str]:
    """The command lines of the ```bash blocks of a Markdown text, comments and blanks dropped."""
    commands = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, re.S | re.M):
        for line in block.splitlines():
            line = re.sub(r"(^|\s+)#.*$", "", line).strip()
            if line:
                commands.append(" ".join(line.split()))
    return commands


def _test_exists(node: str) -> bool:
    path, _, name = node.partition("::")
    file = ROOT / path
    if not file.is_file():
        return False
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def test_readme_commands_are_extracted():
    sample = "```bash\nmake run   # go\n\n# only a comment\na  b\n```\n```python\nx = 1\n```\n"
    assert readme_commands(sample) == ["make run", "a b"]


def test_every_readme_command_is_run_by_a_test():
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert commands, "no ```bash block in the README"
    missing = [c for c in commands if c not in COVERED]
    assert not missing, f"README commands without a test (add one and list it in COVERED): {missing}"
    stale = [c for c in COVERED if c not in commands]
    assert not stale, f"COVERED lists commands the README no longer has: {stale}"
    for command, (tests, how) in COVERED.items():
        assert tests and how, command
        absent = [t for t in tests if not _test_exists(t)]
        assert not absent, f"{command!r} is said to be run by tests that do not exist: {absent}"


def test_ci_runs_make_test():
    """`make test` is what CI runs; it runs the unit tests (this file among them) and nbval."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "-m pytest tests" in recipe and "-m pytest --nbval-lax notebooks/" in recipe
