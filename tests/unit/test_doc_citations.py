"""Comments cite sections of docs/ (never a file outside the repository): every cited
section exists, so a reader who follows a citation finds the rule."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("src/isales/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/*.py")]
#: docs/api.md#limits-and-protections
ANCHORED = re.compile(r"docs/([\w-]+\.md)#([\w-]+)")
#: docs/api.md, "Erasure" (a heading that carries a path is cited by its words)
NAMED = re.compile(r'docs/([\w-]+\.md), "([^"]+)"')


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(doc: str) -> list[str]:
    text = (ROOT / "docs" / doc).read_text()
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]


def citations(pattern: re.Pattern[str]) -> list[tuple[str, str, str]]:
    found = []
    for path in SOURCES:
        for match in pattern.finditer(path.read_text()):
            found.append((str(path.relative_to(ROOT)), match.group(1), match.group(2)))
    return found


def test_the_anchor_of_a_heading_is_githubs():
    assert anchor("Metrics: `GET /metrics`") == "metrics-get-metrics"
    assert anchor("Limits and protections") == "limits-and-protections"
    assert anchor("Data lifecycle (isales extensions)") == "data-lifecycle-isales-extensions"


def test_every_anchored_citation_names_a_heading():
    cited = citations(ANCHORED)
    assert len(cited) > 20  # the pattern finds the citations it is meant for
    missing = [
        (where, doc, name)
        for where, doc, name in cited
        if name not in {anchor(h) for h in headings(doc)}
    ]
    assert missing == []


def test_every_named_citation_starts_a_heading():
    cited = citations(NAMED)
    assert cited  # the pattern finds the citations it is meant for
    missing = [
        (where, doc, name)
        for where, doc, name in cited
        if not any(h.startswith(name) for h in headings(doc))
    ]
    assert missing == []
