// Mind maps in the browser: the tree read from the Yjs map "nodes" with the same rules as
// the server (collab/mindmaps.py), and the edits, each one key of one node.
import * as Y from "yjs";

export const ROOT = "root";

function entries(ydoc) {
  const found = new Map();
  ydoc.getMap("nodes").forEach((value, key) => {
    if (value instanceof Y.Map) found.set(key, value.toJSON());
  });
  return found;
}

export function parents(found) {
  const parent = new Map();
  for (const [key, value] of found) parent.set(key, found.has(value.parent) ? value.parent : ROOT);
  for (const start of [...parent.keys()].sort()) {
    const path = [];
    let node = start;
    while (node !== ROOT && !path.includes(node)) {
      path.push(node);
      node = parent.get(node);
    }
    if (node !== ROOT) {
      const cycle = path.slice(path.indexOf(node)).sort();
      parent.set(cycle[0], ROOT);
    }
  }
  return parent;
}

export function tree(ydoc, title) {
  const found = entries(ydoc);
  const parent = parents(found);
  const deleted = (key) => {
    for (let k = key; k !== ROOT; k = parent.get(k)) if (found.get(k).deleted) return true;
    return false;
  };
  const nodes = new Map();
  for (const [key, value] of found) nodes.set(key, { id: key, label: String(value.label || ""), children: [] });
  const root = { id: ROOT, label: title, children: [] };
  const order = (key) => {
    const value = found.get(key).order;
    return typeof value === "number" ? value : 0;
  };
  const keys = [...found.keys()].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    if (!deleted(key)) (parent.get(key) === ROOT ? root : nodes.get(parent.get(key))).children.push(nodes.get(key));
  }
  return root;
}

function newId() {
  return "n" + crypto.getRandomValues(new Uint32Array(2)).join("").slice(0, 14);
}

export function add(ydoc, parent, label) {
  const id = newId();
  const node = new Y.Map();
  node.set("label", label);
  node.set("parent", parent);
  node.set("order", Date.now());
  ydoc.getMap("nodes").set(id, node);
  return id;
}

export function rename(ydoc, id, label) {
  ydoc.getMap("nodes").get(id)?.set("label", label);
}

export function move(ydoc, id, parent) {
  const node = ydoc.getMap("nodes").get(id);
  if (!node) return;
  ydoc.transact(() => {
    node.set("parent", parent);
    node.set("order", Date.now());
  });
}

export function remove(ydoc, id) {
  ydoc.getMap("nodes").get(id)?.set("deleted", true);
}
