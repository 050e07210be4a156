"""Reading pages in tests: django.test.html's parsed tree, searched by tag and attributes."""

from __future__ import annotations

from collections.abc import Iterator

from django.test.html import Element, parse_html


def page(response) -> Element:
    return parse_html(response.content.decode())


def elements(node, tag: str | None = None, **attributes) -> Iterator[Element]:
    """Every element under `node` with this tag and these attributes (`class_` for class,
    `aria_current` for aria-current: underscores become hyphens, a trailing one is dropped)."""
    wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attributes.items()}
    for child in node.children:
        if not isinstance(child, Element):
            continue
        attrs = dict(child.attributes)
        if (tag is None or child.name == tag) and all(
            attrs.get(key) == value for key, value in wanted.items()
        ):
            yield child
        yield from elements(child, tag, **attributes)


def text(node) -> str:
    """The text of a node and everything in it, with runs of white space made one space."""
    if isinstance(node, Element):
        return " ".join(t for t in (text(child) for child in node.children) if t).strip()
    return " ".join(str(node).split())


def table_rows(node, caption: str) -> list[list[str]]:
    """The text of each cell of each body row of the table with this caption."""
    for table in elements(node, "table"):
        if any(text(c) == caption for c in elements(table, "caption")):
            body = next(elements(table, "tbody"))
            return [
                [text(cell) for cell in row.children if isinstance(cell, Element)]
                for row in elements(body, "tr")
            ]
    raise AssertionError(f"no table captioned {caption!r}")
