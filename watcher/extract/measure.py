"""How much readable text, link text and paragraph text every element of a tree holds.

Measured in one bottom-up pass, so deciding about every element of a deeply nested page
stays linear instead of re-reading each subtree.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from watcher.extract.text import SKIPPED_TAGS


@dataclass(slots=True)
class Counts:
    """Non-space characters of readable text under one element."""

    chars: int = 0
    link_chars: int = 0  # inside <a>
    links: int = 0
    paragraph_chars: int = 0  # inside <p>

    def add(self, other: Counts) -> None:
        """Fold a child's counts into these."""
        self.chars += other.chars
        self.link_chars += other.link_chars
        self.links += other.links
        self.paragraph_chars += other.paragraph_chars

    @property
    def link_density(self) -> float:
        """Share of the text that is link text (1.0 for an element without text)."""
        return self.link_chars / self.chars if self.chars else 1.0


_NOTHING = Counts()


class Measures:
    """Counts of every element under a root, as the tree was when measured."""

    def __init__(self, root: LexborNode) -> None:
        self._counts: dict[int, Counts] = {}
        # Children come after their parents in this pre-order list, so walking it
        # backwards finishes every child before its parent.
        for node in reversed(_elements(root)):
            self._counts[node.mem_id] = self._own_counts(node)

    def __getitem__(self, node: LexborNode) -> Counts:
        return self._counts.get(node.mem_id, _NOTHING)

    def _own_counts(self, node: LexborNode) -> Counts:
        total = Counts()
        for child in node.iter(include_text=True):
            if child.is_text_node:
                total.chars += len("".join((child.text_content or "").split()))
            else:
                total.add(self[child])
        if node.tag == "a":
            total.link_chars, total.links = total.chars, total.links + 1
        elif node.tag == "p":
            total.paragraph_chars = total.chars
        return total


def _elements(root: LexborNode) -> list[LexborNode]:
    """The elements under `root` (itself included) in pre-order, without unreadable ones."""
    found: list[LexborNode] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag in SKIPPED_TAGS:
            continue
        found.append(node)
        stack.extend(node.iter())
    return found
