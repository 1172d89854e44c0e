// Session page: tick an activity, watch the progress bar move; trainers mark training finished.
"use strict";

(function () {
  const outline = document.getElementById("outline");
  const sessionId = outline?.dataset.session;

  function paintBars(rows) {
    for (const row of rows) {
      const line = document.querySelector(`#progress tr[data-user="${row.user_id}"]`);
      if (!line) continue;
      line.querySelector(".bar").setAttribute("aria-valuenow", row.percent);
      line.querySelector(".bar span").style.width = `${row.percent}%`;
      line.querySelector(".percent").textContent = `${row.percent} %`;
      line.querySelector(".count").textContent = `(${row.completed}/${row.total})`;
    }
  }

  outline?.addEventListener("change", async (event) => {
    const box = event.target.closest("input.complete");
    if (!box) return;
    const path = `/sessions/${sessionId}/activities/${box.dataset.activity}/complete`;
    box.disabled = true;
    try {
      await preauApi(box.checked ? "POST" : "DELETE", path);
      paintBars(await preauApi("GET", `/sessions/${sessionId}/progress`));
    } catch (error) {
      box.checked = !box.checked;
      showError(error);
    } finally {
      box.disabled = false;
    }
  });

  document.getElementById("progress")?.addEventListener("click", async (event) => {
    const button = event.target.closest("button.finish");
    if (!button) return;
    const question = `Marquer la formation de ${button.dataset.name} terminée ? ` +
      "Son attestation sera délivrée : cela ne peut pas être annulé.";
    if (!window.confirm(question)) return;
    try {
      const attestation = await preauApi("POST", `/sessions/${button.dataset.session}/members/${button.dataset.user}/finish`);
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "terminée";
      const link = document.createElement("a");
      link.href = attestation.url;
      link.textContent = "attestation";
      button.replaceWith(badge, " ", link);
    } catch (error) {
      showError(error);
    }
  });

  // Trainers and tutors: a participant's progress arrives on their own user:<id> topic.
  document.addEventListener("preau:user-event", (event) => {
    const frame = event.detail;
    if (frame.type === "progress.changed" && String(frame.data.session_id) === sessionId) {
      paintBars([frame.data]);
    }
  });

  // A poll opened while the page is open appears in the classes card (event on user:<id>).
  document.addEventListener("preau:user-event", (event) => {
    const frame = event.detail;
    const polls = document.querySelector("#upcoming-classes .open-polls");
    if (frame.type !== "poll.opened" || !polls) return;
    if (String(frame.data.session_id) !== polls.dataset.session) return;
    if (polls.querySelector(`a[href="${frame.data.url}"]`)) return;
    const line = document.createElement("p");
    const link = Object.assign(document.createElement("a"), {
      href: frame.data.url,
      textContent: `Sondage en cours : ${frame.data.title}`,
    });
    line.append(link, " ", Object.assign(document.createElement("span"), { className: "badge", textContent: "nouveau" }));
    polls.append(line);
  });

  document.querySelector("#content-open input")?.addEventListener("change", async (event) => {
    const box = event.target;
    box.disabled = true;
    try {
      await preauApi("PUT", `/sessions/${box.dataset.session}/content-open`, {
        content_open_after_end: box.checked,
      });
    } catch (error) {
      box.checked = !box.checked;
      showError(error);
    } finally {
      box.disabled = false;
    }
  });

  // A member's help request: sent, then acknowledged in place.
  const help = document.querySelector("#help-request form");
  help?.addEventListener("api:done", () => {
    help.reset();
    help.closest("details").querySelector(".notice").hidden = false;
  });
})();
