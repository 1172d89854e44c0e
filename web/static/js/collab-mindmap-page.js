// The mind map page: the tree drawn from the shared document, redrawn on every change.
(function () {
  "use strict";
  const box = document.getElementById("mindmap");
  if (!box || !window.preauDoc) return;
  const { mindmap } = window.preauDoc;
  const writable = box.dataset.writable === "1";
  const status = document.getElementById("doc-status");
  const labels = { connecting: "connexion…", connected: "connecté", synced: "à jour", disconnected: "déconnecté" };
  const { ydoc, provider, people } = window.preauDoc.connect(
    box.dataset.docId,
    { name: box.dataset.userName, id: Number(box.dataset.userId) },
    (state) => {
      status.textContent = labels[state] || state;
      box.dataset.status = state;
    }
  );
  window.preauMindmap = { ydoc, provider };

  function button(text, action) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }

  function flatten(node, out = []) {
    for (const child of node.children) {
      out.push(child);
      flatten(child, out);
    }
    return out;
  }

  function item(node, all) {
    const li = document.createElement("li");
    li.dataset.nodeId = node.id;
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = node.label;
    li.append(label);
    if (writable) {
      li.append(
        button("+", () => {
          const text = prompt("Nouvelle idée :");
          if (text) mindmap.add(ydoc, node.id, text.slice(0, 200));
        })
      );
      if (node.id !== mindmap.ROOT) {
        li.append(
          button("Renommer", () => {
            const text = prompt("Nouveau libellé :", node.label);
            if (text) mindmap.rename(ydoc, node.id, text.slice(0, 200));
          }),
          button("Supprimer", () => mindmap.remove(ydoc, node.id))
        );
        const select = document.createElement("select");
        select.setAttribute("aria-label", "Déplacer sous");
        select.append(new Option("Déplacer sous…", ""), new Option(box.dataset.title, mindmap.ROOT));
        for (const other of all) if (other.id !== node.id) select.append(new Option(other.label, other.id));
        select.addEventListener("change", () => select.value && mindmap.move(ydoc, node.id, select.value));
        li.append(select);
      }
    }
    if (node.children.length) {
      const ul = document.createElement("ul");
      for (const child of node.children) ul.append(item(child, all));
      li.append(ul);
    }
    return li;
  }

  function draw() {
    const root = mindmap.tree(ydoc, box.dataset.title);
    const list = box.querySelector(".mindmap-tree");
    list.replaceChildren(item(root, flatten(root)));
  }
  ydoc.getMap("nodes").observeDeep(draw);
  draw();
  const showPeople = () => {
    document.getElementById("doc-people").textContent = people().map((p) => p.name).join(", ");
  };
  provider.awareness.on("change", showPeople);
})();
