"""Mind maps: a tree of nodes co-built live, stored as a co-edited document.

The tree is a Yjs map "nodes": node id -> map {label, parent, order, deleted}. Each edit sets
one key, so concurrent edits never conflict in storage (the last writer of a key wins, the
same everywhere). Adding makes a node under a random id; renaming sets `label`; moving sets
`parent` (and `order`); deleting sets `deleted` (a tombstone). What concurrent moves and
deletes mean is decided when the tree is read, by the same rules in every replica (here and
in web/js/mindmap.js):
- a node whose parent is unknown hangs from the root;
- moves that, together, made a cycle: the node of the cycle with the smallest id goes back
  under the root;
- a node under a deleted node is deleted with it;
- siblings are ordered by (`order`, id).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from pycrdt import Doc, Map

ROOT = "root"


@dataclass
class Node:
    id: str
    label: str
    children: list[Node] = field(default_factory=list)


def _entries(doc: Doc) -> dict[str, dict]:
    nodes = doc.get("nodes", type=Map)
    found = {}
    for key, value in nodes.items():
        if isinstance(value, Map):
            found[key] = dict(value.items())
    return found


def parents(entries: dict[str, dict]) -> dict[str, str]:
    """Each node's parent after the rules above (cycles broken, unknown parents -> root)."""
    parent = {
        key: (value.get("parent") if value.get("parent") in entries else ROOT)
        for key, value in entries.items()
    }
    for start in sorted(parent):
        path: list[str] = []
        node = start
        while node != ROOT and node not in path:
            path.append(node)
            node = parent[node]
        if node != ROOT:  # a cycle: from `node` back to itself
            cycle = path[path.index(node) :]
            parent[min(cycle)] = ROOT
    return parent


def tree(doc: Doc, title: str) -> Node:
    entries = _entries(doc)
    parent = parents(entries)

    def deleted(key: str) -> bool:
        while key != ROOT:
            if entries[key].get("deleted"):
                return True
            key = parent[key]
        return False

    nodes = {key: Node(key, str(entries[key].get("label") or "")) for key in entries}
    root = Node(ROOT, title)

    def order(key: str) -> tuple[float, str]:
        value = entries[key].get("order")
        return (float(value) if isinstance(value, int | float) else 0.0, key)

    for key in sorted(entries, key=order):
        if not deleted(key):
            (root if parent[key] == ROOT else nodes[parent[key]]).children.append(nodes[key])
    return root


def outline(doc: Doc, title: str, fmt: str) -> str:
    if fmt == "svg":
        return svg(doc, title)
    root = tree(doc, title)
    if fmt == "markdown":
        lines = [f"# {root.label}", ""]

        def walk(node: Node, depth: int) -> None:
            for child in node.children:
                lines.append("  " * depth + f"- {child.label}")
                walk(child, depth + 1)

        walk(root, 0)
        return "\n".join(lines) + "\n"

    def render(node: Node) -> str:
        if not node.children:
            return ""
        items = "".join(f"<li>{html.escape(c.label)}{render(c)}</li>" for c in node.children)
        return f"<ul>{items}</ul>"

    return f"<h1>{html.escape(root.label)}</h1>\n{render(root)}\n"


def as_dict(node: Node) -> dict:
    return {"id": node.id, "label": node.label, "children": [as_dict(c) for c in node.children]}


# -- the map as an image -------------------------------------------------------------------

COLUMN, ROW, BOX_HEIGHT = 200, 34, 24


def svg(doc: Doc, title: str) -> str:
    """The map drawn left to right (one row per leaf, a parent level with its children), as
    SVG: labels escaped, no script, no outside reference."""
    root = tree(doc, title)
    placed: list[tuple[Node, int, float]] = []
    edges: list[tuple[int, float, int, float]] = []
    rows = [0]

    def place(node: Node, depth: int) -> float:
        if node.children:
            ys = [place(child, depth + 1) for child in node.children]
            y = (ys[0] + ys[-1]) / 2
            for child_y in ys:
                edges.append((depth, y, depth + 1, child_y))
        else:
            y = rows[0] * ROW + ROW / 2
            rows[0] += 1
        placed.append((node, depth, y))
        return y

    place(root, 0)
    width = (max(depth for _, depth, _ in placed) + 1) * COLUMN
    height = max(rows[0], 1) * ROW
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'
    ]
    for d1, y1, d2, y2 in edges:
        x1, x2 = d1 * COLUMN + COLUMN - 20, d2 * COLUMN + 4
        parts.append(
            f'<path d="M{x1} {y1:.0f} C{x1 + 12} {y1:.0f} {x2 - 12} {y2:.0f} {x2} '
            f'{y2:.0f}" fill="none" stroke="#889"/>'
        )
    for node, depth, y in placed:
        x = depth * COLUMN + 4
        label = html.escape(node.label if len(node.label) <= 26 else node.label[:25] + "…")
        fill = "#1f4e79" if node.id == ROOT else "#eef2f7"
        colour = "#fff" if node.id == ROOT else "#123"
        parts.append(
            f'<rect x="{x}" y="{y - BOX_HEIGHT / 2:.0f}" width="{COLUMN - 24}" '
            f'height="{BOX_HEIGHT}" rx="6" fill="{fill}" stroke="#1f4e79"/>'
            f'<text x="{x + 8}" y="{y + 4:.0f}" fill="{colour}">{label}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
