"""Committed diagram SVGs are untrusted input: what may be inlined into a page.

Mermaid's SVGs carry <style>, <foreignObject> labels with HTML, markers and internal links
(`href="#…"`). Nothing in them runs code or loads another resource, and that is the rule:
no <script>, <iframe>, <object>, <embed>, <base>, <meta>, <link>; no `on…=` event attribute; no link
that leaves the document (only `#fragment`); no CSS `url()` other than a fragment, no `@import`,
no `expression(`. The file is parsed with defusedxml (no entity expansion) and bounded in size.
"""

from __future__ import annotations

import re

__all__ = ["SVG_MAX_BYTES", "svg_problems"]

SVG_MAX_BYTES = 2 * 2**20
_FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "base", "meta", "link", "frame",
                   "frameset", "applet", "animate", "set", "handler", "listener"}
_CSS_DANGER = re.compile(r"@import|expression\s*\(|url\s*\(\s*['\"]?\s*(?!#)", re.I)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def svg_problems(svg: str) -> list[str]:
    """Why this SVG must not be inlined into a page ([] when it may)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    if len(svg.encode("utf-8")) > SVG_MAX_BYTES:
        return [f"is larger than {SVG_MAX_BYTES // 2**20} MB"]
    try:
        root = ElementTree.fromstring(svg)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        return [f"is not well-formed XML without entities ({error})"]
    if _local(root.tag) != "svg":
        return [f"has <{_local(root.tag)}> as its root element, not <svg>"]
    problems = []
    for element in root.iter():
        tag = _local(element.tag)
        if tag in _FORBIDDEN_TAGS:
            problems.append(f"contains a <{tag}> element")
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute.startswith("on"):
                problems.append(f"<{tag}> has an event attribute {attribute}=")
            elif attribute in ("href", "src", "action", "formaction") and not value.strip().startswith("#"):
                problems.append(f"<{tag}> links outside the document ({attribute}={value[:60]!r})")
            elif attribute == "style" and _CSS_DANGER.search(value):
                problems.append(f"<{tag}> has a style that loads or runs something")
        if tag == "style" and _CSS_DANGER.search(element.text or ""):
            problems.append("a <style> element loads or runs something (url(), @import)")
    return sorted(set(problems))
