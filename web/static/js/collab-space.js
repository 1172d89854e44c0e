// The space page: creating a document opens it.
(function () {
  "use strict";
  const form = document.getElementById("new-document");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const title = new FormData(form).get("title");
    try {
      const created = await preauApi("POST", `/spaces/${form.dataset.spaceId}/documents`, { title });
      location.href = `/documents/${created.id}/`;
    } catch (error) {
      showError(error);
    }
  });
})();
