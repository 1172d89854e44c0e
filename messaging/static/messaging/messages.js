// The messages page: the list, the form, and new messages arriving live on `user:<me>`.
"use strict";

const STATUS = { open: "", connecting: "Connexion…", closed: "Hors ligne, reconnexion…" };

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function messageItem(message) {
  const item = document.createElement("li");
  item.className = "card message";
  item.dataset.id = message.id;
  const head = document.createElement("div");
  head.className = "muted";
  const when = new Date(message.sent_at).toLocaleString("fr-FR");
  head.textContent = `${message.sender_name} · ${message.parcours} · ${when}`;
  const body = document.createElement("p");
  body.textContent = message.body;
  item.append(head, body);
  for (const attachment of message.attachments) {
    const link = document.createElement("a");
    link.href = attachment.url;
    link.textContent = attachment.name;
    item.append(link);
  }
  return item;
}

function show(list, message) {
  if (list.querySelector(`[data-id="${message.id}"]`)) return;
  list.prepend(messageItem(message));
}

function setupRecipients(form, contacts) {
  const fill = () => {
    const chosen = contacts.find((c) => String(c.session_id) === form.session.value);
    form.recipients.replaceChildren(
      ...(chosen ? chosen.members : []).map((m) => new Option(m.name, m.id))
    );
  };
  form.session.addEventListener("change", fill);
  fill();
}

document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("messages");
  const form = document.getElementById("write");
  for (const message of readJson("messages-data").reverse()) show(list, message);
  setupRecipients(form, readJson("contacts-data"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await preauApi("POST", "/messages", {
        session_id: Number(form.session.value),
        recipient_ids: [...form.recipients.selectedOptions].map((o) => Number(o.value)),
        body: form.body.value,
      });
      form.body.value = "";
    } catch (error) {
      showError(error);
    }
  });

  const status = document.getElementById("live-status");
  preauRealtime.onStatus((state) => {
    status.textContent = STATUS[state];
    status.dataset.state = state;
  });
  preauRealtime.subscribe(`user:${readJson("me")}`, (frame) => {
    if (frame.type === "message.received") show(list, frame.data);
  }, { since: readJson("since"), onResync: () => location.reload() });
});
