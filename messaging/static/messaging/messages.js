// The messages page: one's conversations, one person's exchange answered in place, the form
// to write, and messages arriving live on `user:<me>`.
"use strict";

const STATUS = { open: "", connecting: "Connexion…", closed: "Hors ligne, reconnexion…" };
// Past this many recipients, a message names the first few and counts the others.
const NAMED_RECIPIENTS = 5;

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function when(iso) {
  return new Date(iso).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" });
}

function recipientsText(message, me) {
  const names = message.recipients.map((r) => (r.id === me ? "vous" : r.name));
  if (names.length <= NAMED_RECIPIENTS + 1) return names.join(", ");
  const others = names.length - NAMED_RECIPIENTS;
  return `${names.slice(0, NAMED_RECIPIENTS).join(", ")} et ${others} autres personnes`;
}

// Whom a message is an exchange with, seen from `me`.
function counterparts(message, me) {
  if (message.sender_id === me) return message.recipients;
  return [{ id: message.sender_id, name: message.sender_name }];
}

class Conversations {
  constructor(list, items, selected) {
    this.list = list;
    this.items = items;
    this.selected = selected;
    this.render();
  }

  add(message, me) {
    for (const other of counterparts(message, me)) {
      this.items = this.items.filter((item) => item.user_id !== other.id);
      this.items.unshift({
        user_id: other.id,
        name: other.name,
        session_title: message.session_title,
        last_body: message.body,
        last_from_me: message.sender_id === me,
        sent_at: message.sent_at,
      });
    }
    this.render();
  }

  render() {
    document.querySelector(".conversations .empty").hidden = this.items.length > 0;
    this.list.replaceChildren(
      ...this.items.map((item) => {
        const entry = document.createElement("li");
        const link = document.createElement("a");
        link.href = `/messages/${item.user_id}/`;
        link.dataset.userId = item.user_id;
        if (item.user_id === this.selected) link.setAttribute("aria-current", "page");
        const name = document.createElement("strong");
        name.textContent = item.name;
        const about = document.createElement("span");
        about.className = "muted";
        about.textContent = `${item.session_title} · ${when(item.sent_at)}`;
        const last = document.createElement("span");
        last.className = "excerpt";
        last.textContent = (item.last_from_me ? "Vous : " : "") + item.last_body;
        link.append(name, about, last);
        entry.append(link);
        return entry;
      })
    );
  }
}

class Thread {
  constructor(list, exchange, me) {
    this.list = list;
    this.other = exchange.user_id;
    this.me = me;
    this.byId = new Map();
    for (const message of exchange.messages) this.add(message);
  }

  // A message between the viewer and this person, in either direction.
  concerns(message) {
    const ids = message.recipients.map((r) => r.id);
    return (
      (message.sender_id === this.me && ids.includes(this.other)) ||
      (message.sender_id === this.other && ids.includes(this.me))
    );
  }

  add(message) {
    if (this.byId.has(message.id) || !this.concerns(message)) return false;
    this.byId.set(message.id, message);
    this.list.append(this.item(message));
    return true;
  }

  item(message) {
    const item = document.createElement("li");
    item.className = "card message";
    item.dataset.id = message.id;
    if (message.sender_id === this.me) item.classList.add("mine");
    const head = document.createElement("p");
    head.className = "meta";
    const sender = document.createElement("strong");
    sender.textContent = message.sender_id === this.me ? "Vous" : message.sender_name;
    const rest = document.createElement("span");
    rest.className = "muted";
    rest.textContent = ` · ${message.session_title} · ${when(message.sent_at)}`;
    head.append(sender, rest);
    const to = document.createElement("p");
    to.className = "recipients muted";
    to.textContent = `À : ${recipientsText(message, this.me)}`;
    item.append(head, to);
    const replied = this.byId.get(message.reply_to);
    if (replied) {
      const quote = document.createElement("blockquote");
      quote.className = "replied muted";
      quote.textContent = `En réponse à : ${replied.body}`;
      item.append(quote);
    }
    const body = document.createElement("p");
    body.className = "body";
    body.textContent = message.body;
    item.append(body);
    for (const attachment of message.attachments) {
      const link = document.createElement("a");
      link.href = attachment.url;
      link.textContent = attachment.name;
      item.append(link);
    }
    return item;
  }
}

function setupWrite(form, contacts) {
  const picker = new RecipientPicker(form.querySelector(".picker"));
  const all = form.querySelector("#pick-all");
  const current = () => contacts.find((c) => String(c.session_id) === form.session.value);
  const fill = () => {
    const chosen = current();
    picker.reset(chosen.members, chosen.several ? chosen.members.length : 1);
    all.hidden = !chosen.several;
    all.textContent = `Toute la session (${chosen.members.length} personnes)`;
  };
  all.addEventListener("click", () => picker.pickAll());
  form.session.addEventListener("change", fill);
  fill();

  const sent = form.querySelector("#sent");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const message = await preauApi("POST", "/messages", {
        session_id: Number(form.session.value),
        recipient_ids: picker.ids(),
        body: form.body.value,
      });
      if (message.recipients.length === 1) {
        location.assign(`/messages/${message.recipients[0].id}/`);
        return;
      }
      sent.textContent = `Message envoyé à ${recipientsText(message, null)}.`;
      form.body.value = "";
      fill();
    } catch (error) {
      showError(error);
    }
  });
}

// A reply in place answers the latest message of the exchange, in that message's session.
function answer(form, message) {
  form.dataset.replyTo = message.id;
  form.querySelector("#reply-context").textContent =
    `Réponse dans la session « ${message.session_title} »`;
}

function setupReply(form, thread) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const message = await preauApi("POST", "/messages", {
        reply_to: Number(form.dataset.replyTo),
        recipient_ids: [Number(form.dataset.recipient)],
        body: form.body.value,
      });
      if (thread.add(message)) answer(form, message);
      form.body.value = "";
    } catch (error) {
      showError(error);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const me = readJson("me");
  const exchange = readJson("exchange-data");
  const conversations = new Conversations(
    document.getElementById("conversations"),
    readJson("conversations-data"),
    exchange ? exchange.user_id : null
  );
  const thread = exchange ? new Thread(document.getElementById("messages"), exchange, me) : null;
  const write = document.getElementById("write");
  if (write) setupWrite(write, readJson("contacts-data"));
  const reply = document.getElementById("reply");
  if (reply) setupReply(reply, thread);

  const status = document.getElementById("live-status");
  preauRealtime.onStatus((state) => {
    status.textContent = STATUS[state];
    status.dataset.state = state;
  });
  preauRealtime.subscribe(
    `user:${me}`,
    (frame) => {
      if (frame.type !== "message.received") return;
      conversations.add(frame.data, me);
      if (thread && thread.add(frame.data) && reply) answer(reply, frame.data);
    },
    { since: readJson("since"), onResync: () => location.reload() }
  );
});
