// The bell of every page: the person's notifications from GET /api/v1/me/notifications (what
// each is about, with a link), kept up to date by their own topic `user:<id>`, followed from
// the head that read returned. How far they have read is a sequence number kept by the
// server (PUT /api/v1/me/notifications/read): the same on every device, and never a time.
"use strict";

(function () {
  const userId = document.body.dataset.userId;
  const bell = document.getElementById("notifications-bell");
  const panel = document.getElementById("notifications-panel");
  if (!userId || !bell || !panel) return;

  const topic = `user:${userId}`;
  const count = bell.querySelector(".count");
  const list = panel.querySelector("ul");
  const empty = panel.querySelector(".empty");
  let state = null; // the last page read: items, read_seq, unread, types, topics
  let reloading = null;

  function paintCount() {
    count.textContent = String(state.unread);
    count.hidden = state.unread === 0;
  }

  function paint() {
    list.replaceChildren(
      ...state.items.map((item) => {
        const entry = document.createElement("li");
        const link = document.createElement("a");
        link.href = item.link;
        link.textContent = item.text;
        entry.append(link);
        entry.classList.toggle("unread", item.unread);
        return entry;
      }),
    );
    empty.hidden = state.items.length > 0;
    paintCount();
  }

  async function load() {
    state = await preauApi("GET", "/me/notifications");
    // Everything up to the head is in this list: the live stream continues after it.
    window.preauRealtime.resumeFrom(state.topics);
    paint();
    return state;
  }

  // A burst of frames (a busy discussion) costs one read.
  function reloadSoon() {
    reloading ??= new Promise((resolve) => setTimeout(resolve, 200))
      .then(load)
      .catch(() => null)
      .finally(() => { reloading = null; });
  }

  bell.addEventListener("click", async () => {
    const open = panel.hidden;
    panel.hidden = !open;
    bell.setAttribute("aria-expanded", String(open));
    if (!open || !state || !state.unread || !state.items.length) return;
    const answer = await preauApi("PUT", "/me/notifications/read", { seq: state.items[0].seq })
      .catch(() => null);
    if (!answer) return;
    state.read_seq = answer.read_seq;
    state.unread = answer.unread;
    for (const item of state.items) item.unread = item.seq > answer.read_seq;
    paintCount();
  });

  // After the page's own scripts, which may follow `user:<id>` themselves (the messages page).
  window.addEventListener("load", async () => {
    const first = await load().catch(() => null);
    window.preauRealtime.subscribe(topic, (frame) => {
      // Pages may follow the user's own events too (a new poll on the session page).
      document.dispatchEvent(new CustomEvent("preau:user-event", { detail: frame }));
      if (frame.seq !== undefined && state?.types.includes(frame.type)) reloadSoon();
    }, {
      since: first?.topics[topic],
      onResync: reloadSoon,
      onSubscribed: () => { bell.dataset.ready = "1"; },
    });
  });
})();
