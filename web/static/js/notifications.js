// The bell of every page: what reached the user's own topic `user:<id>` since they last
// looked (replies in followed discussions, likes, messages, scheduled classes).
// "Last looked" is a sequence number kept in this browser only: the server records nothing.
"use strict";

(function () {
  const userId = document.body.dataset.userId;
  const bell = document.getElementById("notifications-bell");
  const panel = document.getElementById("notifications-panel");
  if (!userId || !bell || !panel) return;

  const storageKey = `preau.notifications.seen.${userId}`;
  const count = bell.querySelector(".count");
  const list = panel.querySelector("ul");
  let seen = Number(localStorage.getItem(storageKey)) || null;
  let latest = seen;
  let unread = 0;

  const when = (iso) =>
    new Date(iso).toLocaleString("fr-FR", { dateStyle: "full", timeStyle: "short" });
  const discussionLink = (d) => `/forums/discussions/${d.discussion_id}/#post-${d.post_id}`;

  // type -> [text, link] of a notification, from the event's data.
  const DESCRIBE = {
    "forum.reply_notification": (d) => [
      `${d.author_name} a répondu dans « ${d.discussion_title} »`,
      discussionLink(d),
    ],
    "forum.likes_notification": (d) => [
      d.like_count > 1
        ? `Votre message a reçu ${d.like_count} mentions « j'aime »`
        : "Votre message a reçu une mention « j'aime »",
      discussionLink(d),
    ],
    "message.received": (d) => [`Message de ${d.sender_name} (${d.parcours})`, "/messages/"],
    "poll.opened": (d) => [`Nouveau sondage : ${d.title}`, d.url],
    "class.scheduled": (d) => [
      `Classe virtuelle planifiée : ${d.title}, ${when(d.starts_at)}`,
      `/sessions/${d.session_id}/`,
    ],
  };

  function show(frame) {
    // Pages may follow the user's own events too (a new poll on the session page).
    document.dispatchEvent(new CustomEvent("preau:user-event", { detail: frame }));
    const describe = DESCRIBE[frame.type];
    if (!describe || frame.seq === undefined) return;
    latest = Math.max(latest ?? 0, frame.seq);
    if (seen !== null && frame.seq <= seen) return;
    if (frame.data.sender_id === Number(userId)) return; // one's own message
    const [text, href] = describe(frame.data);
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    item.append(link);
    list.prepend(item);
    unread += 1;
    count.textContent = unread;
    count.hidden = false;
    panel.querySelector(".empty").hidden = true;
  }

  bell.addEventListener("click", () => {
    const open = panel.hidden;
    panel.hidden = !open;
    bell.setAttribute("aria-expanded", String(open));
    if (open && latest !== null) {
      seen = latest;
      localStorage.setItem(storageKey, String(seen));
      unread = 0;
      count.hidden = true;
    }
  });

  // After the page's own scripts: a page that follows `user:<id>` itself (the messages page)
  // chooses where its replay starts, and the bell shares it.
  window.addEventListener("load", () => {
    const baseline = (seq) => {
      seen = latest = seq;
      localStorage.setItem(storageKey, String(seq));
    };
    window.preauRealtime.subscribe(`user:${userId}`, show, {
      since: seen,
      onResync: baseline,
      // A first visit starts from now; later ones replay what came in between.
      onSubscribed: (seq) => seen === null && baseline(seq),
    });
  });
})();
