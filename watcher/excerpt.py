"""The excerpt of an alert: new sentences that mention topics, a little context, highlights."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from watcher.match import Mention

Span = tuple[int, int]
Piece = tuple[str, list[Span]]  # a sentence as shown, with its highlights

GAP = " \u2026 "  # between sentences that are not neighbours in the item
ELLIPSIS = "\u2026"  # where text was cut


def build_excerpt(
    sentences: Sequence[str],
    focus: Sequence[int],
    mentions: Mapping[int, Sequence[Mention]],
    limit: int = 600,
    new: Collection[int] | None = None,
) -> tuple[str, tuple[Span, ...]]:
    """Excerpt of the focus sentences and their spans; each focus sentence leads, followed
    (where it fits) by the sentence after it when that one is `new` text too (None: all are).

    SPEC: the new sentences that mention the topics come first, with a little context. The
    context is taken from what is new, so an excerpt never passes old text off as news.
    """
    order = sorted({index for index in focus if 0 <= index < len(sentences)})
    if not order:
        return "", ()
    chosen = set(order)
    following = [
        index + 1
        for index in order
        if index + 1 < len(sentences)
        and index + 1 not in chosen
        and (new is None or index + 1 in new)
    ]
    pieces: dict[int, Piece] = {}
    for index in chosen | set(following):
        piece = (sentences[index], _spans(mentions.get(index, ())))
        pieces[index] = _window(*piece, limit) if index in chosen else piece
    for after in following:
        with_context = chosen | {after}
        if len(_render(pieces, with_context)[0]) <= limit:
            chosen = with_context
    return _cap(*_render(pieces, chosen), limit)


def _spans(mentions: Sequence[Mention]) -> list[Span]:
    return sorted((mention.start, mention.end) for mention in mentions)


def _window(sentence: str, spans: list[Span], limit: int) -> Piece:
    """The sentence, or when the cap would cut its first mention, its tail from near there."""
    if not spans or len(sentence) <= limit or spans[0][1] <= limit - limit // 4:
        return sentence, spans
    # Start on a word boundary a little before the mention, keeping some lead-in; a word
    # too long to keep whole (a URL, a run of symbols) is cut inside, never the mention.
    lead = limit // 4
    mention = spans[0][0]
    target = max(0, mention - lead)
    space = sentence.rfind(" ", max(0, target - lead), target + 1)
    if space < 0:
        space = sentence.find(" ", target, mention)
    start = space + 1 if space >= 0 else target
    if start == 0:
        return sentence, spans
    shift = len(ELLIPSIS) - start
    kept = [(first + shift, last + shift) for first, last in spans if first >= start]
    return ELLIPSIS + sentence[start:], kept


def _render(pieces: Mapping[int, Piece], chosen: set[int]) -> Piece:
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    previous: int | None = None
    for index in sorted(chosen):
        if previous is not None:
            separator = " " if index == previous + 1 else GAP
            parts.append(separator)
            length += len(separator)
        text, own = pieces[index]
        spans.extend((first + length, last + length) for first, last in own)
        parts.append(text)
        length += len(text)
        previous = index
    return "".join(parts), spans


def _cap(text: str, spans: list[Span], limit: int) -> tuple[str, tuple[Span, ...]]:
    """At most `limit` characters, cut on a word boundary and marked with an ellipsis."""
    if len(text) <= limit:
        return text, tuple(spans)
    room = max(limit - len(ELLIPSIS), 0)
    boundary = text.rfind(" ", 0, room + 1)
    # A word longer than half the excerpt is cut inside rather than losing the rest.
    head = text[: boundary if boundary > room // 2 else room].rstrip(" " + ELLIPSIS)
    return head + ELLIPSIS, tuple(span for span in spans if span[1] <= len(head))
