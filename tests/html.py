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


# The elements an error summary may link to: GOV.UK links each problem to the first input of
# its field (a group's first checkbox or radio), never to a fieldset or an error message.
FORM_CONTROLS = {"input", "select", "textarea"}


def error_summary_targets(root) -> list[tuple[str, Element | None]]:
    """(href, the element of the page with that id, or None) for each link of the list of
    problems in the page's GOV.UK error summary, in order."""
    summary = next(
        (
            el
            for el in elements(root, "ul")
            if "govuk-error-summary__list" in dict(el.attributes).get("class", "").split()
        ),
        None,
    )
    assert summary is not None, "no error summary"
    by_id = {dict(el.attributes).get("id"): el for el in elements(root)}
    found = []
    for a in elements(summary, "a"):
        href = dict(a.attributes)["href"]
        assert href.startswith("#"), href
        found.append((href, by_id.get(href[1:])))
    return found


def assert_error_links_reach_inputs(root) -> list[str]:
    """Every link of the error summary leads to a form control of the page; the hrefs."""
    targets = error_summary_targets(root)
    assert targets, "the error summary links to nothing"
    for href, target in targets:
        assert target is not None, f"{href} is on no element of the page"
        assert target.name in FORM_CONTROLS, f"{href} is a <{target.name}>, not a form control"
        assert dict(target.attributes).get("type") != "hidden", f"{href} is a hidden input"
    return [href for href, _ in targets]
