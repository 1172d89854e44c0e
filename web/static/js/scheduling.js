// Scheduling pages: pick slots on the week view, answer a poll, follow its results live.
"use strict";

function reasonText(code) {
  const labels = JSON.parse(document.getElementById("reason-labels")?.textContent || "{}");
  const [key, ...rest] = code.split(":");
  const name = rest.join(":");
  const label = labels[key] || key;
  return name ? `${label} : ${name}` : label;
}

function setupWeek() {
  const week = document.getElementById("week");
  if (!week) return;
  const session = week.dataset.session;
  const form = document.getElementById("poll-form");
  const count = document.getElementById("picked-count");
  const picked = () => [...week.querySelectorAll(".pick[aria-pressed=true]")];
  week.addEventListener("click", (event) => {
    const button = event.target.closest(".pick");
    if (!button) return;
    button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
    const n = picked().length;
    count.textContent = n ? `${n} créneau${n > 1 ? "x" : ""} choisi${n > 1 ? "s" : ""}.` : "Aucun créneau choisi.";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const minutes = Number(data.get("minutes"));
    const seatLimit = data.get("seat_limit") ? Number(data.get("seat_limit")) : null;
    const starts = picked().map((button) => new Date(button.dataset.start));
    const body = {
      title: data.get("title"),
      hide_results: data.get("hide_results") === "on",
      nominative: data.get("anonymity") === "nominative",
      closes_at: data.get("closes_at") ? new Date(data.get("closes_at")).toISOString() : null,
      slots: starts.map((start) => ({
        starts_at: start.toISOString(),
        ends_at: new Date(start.getTime() + minutes * 60000).toISOString(),
        seat_limit: seatLimit,
      })),
    };
    const refusals = document.getElementById("refusals");
    refusals.hidden = true;
    try {
      const poll = await preauApi("POST", `/sessions/${session}/polls`, body);
      window.location.href = `/sondages/${poll.id}/`;
    } catch (error) {
      showRefusals(refusals, error, starts);
    }
  });
  setupSeries(session);
}

function showRefusals(list, error, starts) {
  list.replaceChildren();
  const refused = error.details?.refused || [];
  if (!refused.length) {
    showError(error);
    return;
  }
  for (const row of refused) {
    const item = document.createElement("li");
    const when = starts[row.index]?.toLocaleString("fr-FR", { dateStyle: "full", timeStyle: "short" });
    item.textContent = `${when} : ${row.reasons.map(reasonText).join(" · ")}`;
    list.append(item);
  }
  list.hidden = false;
}

function setupSeries(session) {
  const form = document.getElementById("series-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const out = document.getElementById("series-result");
    try {
      const series = await preauApi("POST", "/series", {
        session_id: Number(session),
        title: data.get("title"),
        first_day: data.get("first_day"),
        until: data.get("until"),
        start_time: data.get("start_time"),
      });
      const skipped = series.skipped.map((row) => `${row.day} (${row.reasons.map(reasonText).join(", ")})`);
      out.textContent = `${series.classes.length} rencontre(s) planifiée(s).` +
        (skipped.length ? ` Dates sautées : ${skipped.join(" ; ")}.` : "");
    } catch (error) {
      showError(error);
    }
  });
}

function slotLabel(root, slotId) {
  return root.querySelector(`tr[data-slot="${slotId}"] td strong`)?.textContent ?? "";
}

// The trainer's choice in the close form follows the suggestion until they pick a slot.
let closeChoiceTouched = false;

function renderPoll(root, poll) {
  for (const slot of poll.slots) applyCounts(root, slot.id, slot);
  document.getElementById("respondents").textContent = `${poll.respondents} réponse(s)`;
  const chosen = poll.slots.find((slot) => slot.chosen);
  const state = document.getElementById("poll-state");
  state.textContent = poll.accepts_answers
    ? (poll.results_visible ? "" : "Résultats masqués jusqu'à la clôture.")
    : chosen ? `Sondage clos. Créneau retenu : ${slotLabel(root, chosen.id)}.` : "Sondage clos.";
  for (const row of root.querySelectorAll("tr[data-slot]")) {
    const id = Number(row.dataset.slot);
    row.classList.toggle("chosen", chosen?.id === id);
    const suggested = poll.accepts_answers && poll.suggested_slot_id === id;
    row.classList.toggle("suggested", suggested);
    row.querySelector(".slot-note").textContent =
      chosen?.id === id ? "créneau retenu" : suggested ? "suggéré" : "";
  }
  for (const [slotId, choice] of Object.entries(poll.my_choices)) {
    const input = root.querySelector(`input[name="slot-${slotId}"][value="${choice}"]`);
    if (input) input.checked = true;
  }
  const comment = root.querySelector("textarea[name=comment]");
  if (comment && !comment.value) comment.value = poll.my_comment;
  const suggestion = document.getElementById("suggestion");
  if (suggestion) {
    suggestion.textContent = poll.suggested_slot_id
      ? `Créneau suggéré par les réponses : ${slotLabel(root, poll.suggested_slot_id)}`
      : "";
  }
  const option = document.querySelector(`#close-form option[value="${poll.suggested_slot_id}"]`);
  if (option && !closeChoiceTouched) option.selected = true;
  renderBallots(poll);
  renderComments(poll);
  if (!poll.accepts_answers) closeForms(poll);
}

// Each person's answers: the server sends them for a nominative poll, to its members.
function renderBallots(poll) {
  const table = document.getElementById("ballots");
  if (!table || !poll.ballots) return;
  const word = { yes: "oui", maybe: "si besoin", no: "non" };
  const body = table.querySelector("tbody");
  body.replaceChildren(...poll.ballots.map((ballot) => {
    const row = document.createElement("tr");
    const cells = [ballot.name, ...poll.slots.map((slot) => word[ballot.choices[slot.id]] ?? "—"), ballot.comment];
    for (const text of cells) row.append(Object.assign(document.createElement("td"), { textContent: text }));
    return row;
  }));
  table.closest("section").hidden = poll.ballots.length === 0;
}

// An anonymous poll's comments, without names.
function renderComments(poll) {
  const list = document.getElementById("comments");
  if (!list || !poll.comments) return;
  list.replaceChildren(
    ...poll.comments.map((text) => Object.assign(document.createElement("li"), { textContent: text }))
  );
  list.closest("section").hidden = poll.comments.length === 0;
}

function applyCounts(root, slotId, counts) {
  const row = root.querySelector(`tr[data-slot="${slotId}"]`);
  if (!row) return;
  for (const key of ["yes", "maybe", "no"]) {
    if (key in counts) row.querySelector(`.count-${key}`).textContent = counts[key] ?? "—";
  }
  row.querySelector(".seats").textContent = counts.seats_left ?? "—";
}

function closeForms(poll) {
  // A closed poll takes no answer: its vote controls go away, the chosen slot stays shown.
  for (const part of document.querySelectorAll("#poll .vote-control")) part.remove();
  document.getElementById("close-form")?.remove();
  if (poll.class_id) document.getElementById("ics-link").hidden = false;
}

function setupPoll() {
  const root = document.getElementById("poll");
  if (!root) return;
  const pollId = root.dataset.poll;
  // A poll closes by itself at its closing date: the page reloads its state at that moment.
  let closing;
  const show = (poll) => {
    renderPoll(root, poll);
    clearTimeout(closing);
    const wait = poll.closes_at ? new Date(poll.closes_at) - Date.now() : null;
    if (poll.accepts_answers && wait !== null && wait < 2 ** 31 - 1) {
      closing = setTimeout(refresh, Math.max(0, wait) + 500);
    }
  };
  const refresh = async () => {
    const poll = await preauApi("GET", `/polls/${pollId}`);
    window.preauRealtime?.resumeFrom(poll.topics);
    show(poll);
  };
  show(JSON.parse(document.getElementById("poll-data").textContent));
  document.getElementById("answer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const choices = {};
    for (const input of root.querySelectorAll("input[type=radio]:checked")) {
      choices[input.name.replace("slot-", "")] = input.value;
    }
    const comment = root.querySelector("textarea[name=comment]")?.value ?? null;
    try {
      show(await preauApi("POST", `/polls/${pollId}/answers`, { choices, comment }));
      const said = Object.values(choices);
      const count = (choice) => said.filter((c) => c === choice).length;
      document.getElementById("answer-saved").textContent =
        `Réponse enregistrée : oui pour ${count("yes")} créneau(x), si besoin pour ${count("maybe")}, ` +
        `non pour ${count("no")}. Vous pouvez la modifier jusqu'à la clôture.`;
    } catch (error) {
      showError(error);
    }
  });
  document.querySelector("#close-form select")?.addEventListener("change", () => {
    closeChoiceTouched = true;
  });
  document.getElementById("close-form")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const slotId = Number(new FormData(event.target).get("slot_id"));
    try {
      await preauApi("POST", `/polls/${pollId}/close`, { slot_id: slotId });
      await refresh();
    } catch (error) {
      showError(error);
    }
  });
  followPoll(pollId, root, refresh);
}

// Live results: counts arrive on `poll:<id>`; while results are hidden only seats do,
// and the page asks the API for anything more it is allowed to see.
function followPoll(pollId, root, refresh) {
  if (!window.preauRealtime) return;
  let pending = null;
  const refreshSoon = () => {
    clearTimeout(pending);
    pending = setTimeout(refresh, 150);
  };
  const since = Number(root.dataset.since);
  window.preauRealtime.subscribe(`poll:${pollId}`, (event) => {
    if (event.type === "poll.answer_counts") {
      for (const slot of event.data.slots) applyCounts(root, slot.slot_id, slot);
      document.getElementById("respondents").textContent = `${event.data.respondents} réponse(s)`;
      refreshSoon(); // the suggested slot and the per-person table follow the counts
    } else if (event.type === "poll.seats") {
      for (const slot of event.data.slots) applyCounts(root, slot.slot_id, { seats_left: slot.seats_left });
      refresh();
    } else if (event.type === "poll.closed") {
      refresh();
    }
  }, { since, onResync: refresh });
}

document.addEventListener("DOMContentLoaded", () => {
  setupWeek();
  setupPoll();
});
