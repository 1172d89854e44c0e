// The document page: mounts the shared editor (web/js/collab-doc.js, bundled) and wires the
// version form to the API.
(function () {
  "use strict";
  const element = document.getElementById("doc-editor");
  if (!element || !window.preauDoc) return;
  const status = document.getElementById("doc-status");
  const people = document.getElementById("doc-people");
  const labels = { connecting: "connexion…", connected: "connecté", synced: "à jour", disconnected: "déconnecté" };
  const editor = window.preauDoc.mount(element, {
    docId: element.dataset.docId,
    readOnly: element.dataset.writable !== "1",
    user: { name: element.dataset.userName, id: Number(element.dataset.userId) },
    onStatus: (state) => {
      status.textContent = labels[state] || state;
      element.dataset.status = state;
    },
  });
  const showPeople = () => {
    people.textContent = editor.people().map((p) => p.name).join(", ");
  };
  editor.provider.awareness.on("change", showPeople);
  showPeople();
  window.preauDocEditor = editor;

  const form = document.getElementById("doc-version-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = new FormData(form).get("name");
      try {
        // What this page shows, last keystrokes included: the version is what one saw.
        const update = window.preauDoc.Y.encodeStateAsUpdate(editor.ydoc);
        let binary = "";
        for (let i = 0; i < update.length; i += 0x8000) {
          binary += String.fromCharCode(...update.subarray(i, i + 0x8000));
        }
        const state = btoa(binary);
        await preauApi("POST", `/documents/${form.dataset.docId}/versions`, { name, state });
        location.reload();
      } catch (error) {
        showError(error);
      }
    });
  }
  document.querySelectorAll("button.restore").forEach((button) =>
    button.addEventListener("click", () =>
      preauApi("POST", `/documents/${element.dataset.docId}/versions/${button.dataset.versionId}/restore`).catch(showError)
    )
  );
})();
