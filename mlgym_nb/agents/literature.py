"""Literature search for agents (MLGym's literature tool), for users whose machines reach the network.

The offline search is ``%docs QUERY``, a cell the kernel answers from the documentation index of its
packages (kernels/mlgym_kernel_ext.py). Kernels have no network, so an online search runs here, on the
driver's side, as the LLM agent's ``literature_search`` tool; its results are recorded with the step
(``metadata.mlgym.agent.literature``) and shown in the step's reasoning cell. ``ArxivSearch`` queries
the arXiv API; any object with ``search(query) -> list[Paper]`` serves.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Protocol

ATOM = "{http://www.w3.org/2005/Atom}"
LITERATURE_TOOL = {"type": "function", "function": {
    "name": "literature_search", "description": "Search papers (titles, authors, abstracts) for a query.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}


@dataclass
class Paper:
    title: str
    authors: list[str]
    summary: str
    url: str


class LiteratureSearch(Protocol):
    def search(self, query: str) -> list[Paper]:
        """Papers matching the query, best first. Raises OSError when the service cannot be reached."""


def parse_arxiv(feed: bytes) -> list[Paper]:
    """Papers from an arXiv API Atom feed."""
    root = ElementTree.fromstring(feed)
    papers = []
    for entry in root.findall(f"{ATOM}entry"):
        def text(tag: str, node: ElementTree.Element = entry) -> str:
            found = node.find(f"{ATOM}{tag}")
            return " ".join((found.text or "").split()) if found is not None else ""

        papers.append(Paper(title=text("title"), authors=[text("name", a) for a in entry.findall(f"{ATOM}author")],
                            summary=text("summary"), url=text("id")))
    return papers


class ArxivSearch:
    """The arXiv API (``export.arxiv.org/api/query``).

    Args:
        results: papers per query.
        timeout: seconds per request.
        fetch: how to GET a URL (a test passes a recorded response).
    """

    url = "http://export.arxiv.org/api/query"

    def __init__(self, results: int = 5, timeout: float = 20.0, fetch=None) -> None:
        self.results, self.timeout = results, timeout
        self.fetch = fetch or self._get

    def _get(self, url: str) -> bytes:
        with urllib.request.urlopen(url, timeout=self.timeout) as reply:  # noqa: S310 - a fixed https/http API
            return reply.read()

    def search(self, query: str) -> list[Paper]:
        params = urllib.parse.urlencode({"search_query": f"all:{query}", "start": 0, "max_results": self.results})
        return parse_arxiv(self.fetch(f"{self.url}?{params}"))


def format_papers(papers: list[Paper]) -> str:
    if not papers:
        return "no papers found"
    return "\n".join(f"- {p.title} ({', '.join(p.authors[:3])}{' et al.' if len(p.authors) > 3 else ''}) {p.url}\n"
                     f"  {p.summary[:400]}" for p in papers)
