"""The bundled rubrics are faithful to the documents they cite.

Every criterion and evidence requirement's wording must appear verbatim in the seed document its
rubric's ``source`` names (the first ``NNN_<hex>.txt`` file name in it), after normalising both
sides: HTML tags and list bullets removed, curly quotes and dashes made plain, whitespace
collapsed. Each criterion must also follow its own code there (``P2: Select ...``, ``1.1 Listen
...``), and each rubric's codes must be exactly the document's, as listed here by hand.

The seeds live beside the repository, in ``../shared/seeds``; without them the wording tests skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.lint import check_rubric_file, kind_of
from simulator.loader import load_rubric_file
from simulator.model import Criterion, Rubric
from simulator.resources import bundled_dir

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the seed documents are not available at {SEEDS}"
)

RUBRIC_FILES = sorted(p for p in bundled_dir("rubrics").glob("*.yaml") if kind_of(p) == "rubric")

SEED_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def _codes(prefix: str, last: int) -> list[str]:
    return [f"{prefix}{n}" for n in range(1, last + 1)]


# Criterion codes in document order, then evidence-requirement codes, transcribed from the seeds.
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    # 004: OCR Unit 7 grading criteria table, read row by row
    "ocr-l2-unit7": (
        ["P1", "P2", "P3", "M1", "P4", "P5", "M2", "P6", "M3", "D1", "P7", "D2", "P8", "M4", "P9"],
        [],
    ),
    # 001: OCR C3 assessment criteria 1.1-4.5; evidence requirements 4 a-e and 5 a-d
    "ocr-c3": (
        _codes("1.", 5) + _codes("2.", 5) + _codes("3.", 6) + _codes("4.", 5),
        [f"4{x}" for x in "abcde"] + [f"5{x}" for x in "abcd"],
    ),
    # 002: Resolve customers' problems (Level 3) 1.1-1.4, 2.1-2.9
    "pearson-resolve-problems-l3": (_codes("1.", 4) + _codes("2.", 9), []),
    # 003: BTEC L3 Principles of Customer Service, Unit 4 (Y/506/9229) 1.1-1.3, 2.1-2.3, 3.1-3.5
    "pearson-l3-unit4": (_codes("1.", 3) + _codes("2.", 3) + _codes("3.", 5), []),
}

_TAG = re.compile(r"<[^>]+>")
_BULLETS = re.compile(r"[•○▪□◦·]")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"',
                         "„": '"', "–": "-", "—": "-", "‑": "-", "‐": "-", "−": "-"})  # fmt: skip


def normalise(text: str) -> str:
    """Return ``text`` without HTML tags or bullets, with plain quotes and dashes, spaces collapsed."""
    text = _BULLETS.sub(" ", _TAG.sub(" ", text)).translate(_QUOTES)
    return " ".join(text.split())


def load(path: Path) -> Rubric:
    rubric = load_rubric_file(path).rubric
    assert rubric is not None, f"{path} does not load"
    return rubric


def seed_of(rubric: Rubric) -> Path:
    """Return the seed document the rubric's criteria are transcribed from."""
    names: list[str] = SEED_NAME.findall(rubric.source)
    assert names, f"{rubric.id}: 'source' must name the seed file, e.g. 004_a9f78482c4d16f6f.txt"
    return SEEDS / names[0]


def _items() -> list[tuple[Path, str, Criterion]]:
    items = []
    for path in RUBRIC_FILES:
        rubric = load_rubric_file(path).rubric
        if rubric is None:
            continue  # reported by test_rubric_lints_clean
        for c in rubric.criteria:
            items.append((path, "criterion", c))
        for c in rubric.requirements:
            items.append((path, "requirement", c))
    return items


ITEMS = _items()


def test_the_bundled_rubrics_are_there() -> None:
    assert {p.stem for p in RUBRIC_FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=[p.stem for p in RUBRIC_FILES])
def test_rubric_lints_clean(path: Path) -> None:
    loaded, problems = check_rubric_file(path)
    assert problems == [], "\n".join(p.format() for p in problems)
    assert loaded.rubric is not None


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=[p.stem for p in RUBRIC_FILES])
def test_codes_are_exactly_the_documents(path: Path) -> None:
    rubric = load(path)
    criteria, requirements = EXPECTED[rubric.id]
    assert [c.code for c in rubric.criteria] == criteria
    assert [c.code for c in rubric.requirements] == requirements


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=[p.stem for p in RUBRIC_FILES])
def test_first_line_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/rubric.schema.json"


@needs_seeds
@pytest.mark.parametrize("path", RUBRIC_FILES, ids=[p.stem for p in RUBRIC_FILES])
def test_source_names_an_existing_seed(path: Path) -> None:
    rubric = load(path)
    for name in SEED_NAME.findall(rubric.source):
        assert (SEEDS / name).is_file(), f"{rubric.id}: {name} is not in {SEEDS}"
    assert seed_of(rubric).is_file()


@needs_seeds
@pytest.mark.parametrize(
    ("path", "kind", "criterion"),
    ITEMS,
    ids=[f"{path.stem}-{c.code}" for path, _, c in ITEMS],
)
def test_wording_is_verbatim(path: Path, kind: str, criterion: Criterion) -> None:
    rubric = load(path)
    seed = normalise(seed_of(rubric).read_text(encoding="utf-8"))
    text = normalise(criterion.text)
    assert text, f"{rubric.id} {criterion.code} has no text"
    assert text in seed, f"{rubric.id} {criterion.code}: not verbatim in {seed_of(rubric).name}"
    if kind == "criterion":
        # printed with its code: `P2: Select ...` (OCR Unit 7) or `1.1 Listen ...` (the others)
        with_code = re.compile(re.escape(criterion.code) + r":? " + re.escape(text))
        assert with_code.search(seed), f"{rubric.id}: '{text}' is not criterion {criterion.code}"
    else:
        # evidence requirements are lettered within their numbered item: `4a` is `a <text>`
        letter = re.fullmatch(r"\d+([a-z])", criterion.code)
        if letter:
            assert f"{letter.group(1)} {text}" in seed, f"{rubric.id}: '{text}' is not {kind}"


def test_normalise() -> None:
    assert normalise("<p>customers’ “needs”</p>\n  • one – two") == 'customers\' "needs" one - two'
