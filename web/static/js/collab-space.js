// The space page: creating a document, a mind map or a word cloud opens it; sharing a link
// or a file reloads the list.
(function () {
  "use strict";
  async function submit(form, call) {
    try {
      await call(new FormData(form));
    } catch (error) {
      showError(error);
    }
  }
  for (const form of document.querySelectorAll("#new-document, #new-mindmap")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form, async (data) => {
        const made = await preauApi("POST", `/spaces/${form.dataset.spaceId}/documents`, {
          title: data.get("title"),
          kind: form.dataset.kind,
        });
        location.href = `/documents/${made.id}/`;
      });
    });
  }
  const cloud = document.getElementById("new-wordcloud");
  cloud?.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(cloud, async (data) => {
      const made = await preauApi("POST", `/spaces/${cloud.dataset.spaceId}/wordclouds`, {
        question: data.get("question"),
      });
      location.href = `/wordclouds/${made.id}/`;
    });
  });
  const join = document.getElementById("join-space");
  join?.addEventListener("click", () =>
    preauApi("POST", `/spaces/${join.dataset.spaceId}/join`).then(() => location.reload(), showError)
  );
  const ask = document.getElementById("ask-to-join");
  ask?.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(ask, async (data) => {
      await preauApi("POST", `/spaces/${ask.dataset.spaceId}/requests`, { message: data.get("message") });
      location.reload();
    });
  });
  for (const button of document.querySelectorAll("button.answer-request")) {
    const { spaceId, requestId, accept } = button.dataset;
    button.addEventListener("click", () =>
      preauApi("POST", `/spaces/${spaceId}/requests/${requestId}/answer`, { accept: accept === "1" }).then(
        () => button.closest("li").remove(),
        showError
      )
    );
  }
  const link = document.getElementById("new-link");
  link?.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(link, async (data) => {
      await preauApi("POST", `/spaces/${link.dataset.spaceId}/resources/links`, {
        title: data.get("title"),
        url: data.get("url"),
      });
      location.reload();
    });
  });
  const file = document.getElementById("new-file");
  file?.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(file, async (data) => {
      const response = await fetch(`/api/v1/spaces/${file.dataset.spaceId}/resources/files`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "" },
        body: data,
      });
      if (!response.ok) throw new Error((await response.json()).error.message);
      location.reload();
    });
  });
})();
