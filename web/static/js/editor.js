// The one editor of forum posts, for writing and for editing: Markdown in a textarea, a few
// buttons that insert its marks, and an "Aperçu" that asks the server for the HTML the post
// would store (same Markdown and sanitising as a saved post: forums/text.py).
"use strict";

(function () {
  const MARKS = [
    ["Gras", "**", "**", "texte en gras"],
    ["Italique", "*", "*", "texte en italique"],
    ["Lien", "[", "](https://)", "texte du lien"],
    ["Liste", "\n- ", "", "élément"],
    ["Citation", "\n> ", "", "citation"],
  ];

  function wrap(area, before, after, placeholder) {
    const { selectionStart: start, selectionEnd: end, value } = area;
    const chosen = value.slice(start, end) || placeholder;
    area.setRangeText(before + chosen + after, start, end, "end");
    area.setSelectionRange(start + before.length, start + before.length + chosen.length);
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function button(text, onClick, attrs = {}) {
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: text });
    b.className = "secondary";
    for (const [name, value] of Object.entries(attrs)) b.setAttribute(name, value);
    b.addEventListener("click", onClick);
    return b;
  }

  function preauEditor(area) {
    if (area.dataset.editorReady) return area;
    area.dataset.editorReady = "1";
    const bar = document.createElement("div");
    bar.className = "toolbar editor-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Mise en forme");
    for (const [label, before, after, placeholder] of MARKS) {
      bar.append(button(label, () => wrap(area, before, after, placeholder)));
    }
    const preview = document.createElement("div");
    preview.className = "editor-preview card";
    preview.hidden = true;
    preview.setAttribute("aria-live", "polite");
    const toggle = button("Aperçu", async () => {
      const showing = toggle.getAttribute("aria-pressed") === "true";
      if (showing) {
        preview.hidden = true;
        area.hidden = false;
        toggle.setAttribute("aria-pressed", "false");
        area.focus();
        return;
      }
      try {
        const { body } = await preauApi("POST", "/posts/preview", { body: area.value || " " });
        preview.innerHTML = body || "<p class=\"muted\">(vide)</p>"; // sanitised by the server
      } catch (error) {
        preview.textContent = error.message;
      }
      preview.hidden = false;
      area.hidden = true;
      toggle.setAttribute("aria-pressed", "true");
    }, { "aria-pressed": "false", class: "secondary preview-toggle" });
    bar.append(toggle);
    const hint = document.createElement("p");
    hint.className = "muted editor-hint";
    hint.textContent =
      "Mise en forme Markdown : **gras**, *italique*, « - » pour une liste, « > » pour une citation ; " +
      "les retours à la ligne sont gardés et les adresses web deviennent des liens.";
    area.before(bar);
    area.after(preview, hint);
    area.closest("form")?.addEventListener("reset", () => {
      preview.hidden = true;
      area.hidden = false;
      toggle.setAttribute("aria-pressed", "false");
    });
    return area;
  }

  window.preauEditor = preauEditor;
  document.querySelectorAll("textarea[data-editor]").forEach(preauEditor);
})();
