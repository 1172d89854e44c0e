// Recordings on a page: trainers rename, choose how long to keep, or delete a recording.
"use strict";

(function () {
  const list = document.getElementById("recordings");
  if (!list) return;

  async function change(item, body) {
    try {
      const shown = await preauApi("PATCH", `/recordings/${item.dataset.recording}`, body);
      item.querySelector(".recording-title").textContent = shown.title;
      item.querySelector(".kept-until").textContent = shown.expires_on
        ? `conservé jusqu'au ${new Date(shown.expires_on).toLocaleDateString("fr-FR")}`
        : "";
    } catch (error) {
      showError(error);
    }
  }

  list.addEventListener("submit", (event) => {
    const form = event.target.closest("form.recording-manage");
    if (!form) return;
    event.preventDefault();
    change(form.closest("[data-recording]"), { title: form.elements.title.value });
  });

  list.addEventListener("change", (event) => {
    const select = event.target.closest("select[name=retention_days]");
    if (!select) return;
    change(select.closest("[data-recording]"), {
      retention_days: select.value ? Number(select.value) : null,
    });
  });

  list.addEventListener("click", async (event) => {
    const button = event.target.closest("button.delete");
    if (!button) return;
    const item = button.closest("[data-recording]");
    if (!window.confirm("Supprimer définitivement cet enregistrement ?")) return;
    try {
      await preauApi("DELETE", `/recordings/${item.dataset.recording}`);
      item.remove();
    } catch (error) {
      showError(error);
    }
  });
})();
