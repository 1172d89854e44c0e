// Forum pages: create forums and discussions, reply, like, favourite, moderate, and follow
// forum:<id> / discussion:<id> live through the realtime client, resuming from the seq the
// page was rendered at. Changed posts are fetched back as HTML rendered by the server, so
// what a reader may see is decided in one place.
"use strict";

(function () {
  const $ = (selector, root = document) => root.querySelector(selector);

  async function act(work) {
    try {
      return await work();
    } catch (error) {
      showError(error);
      return undefined;
    }
  }

  // Forms that create something, then lead to it.
  $("#new-forum")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = Object.fromEntries(new FormData(form));
    act(async () => {
      const forum = await preauApi("POST", `${form.dataset.api}/forums`, body);
      location.href = `/forums/${forum.id}/`;
    });
  });

  $("#new-discussion")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = Object.fromEntries(new FormData(form));
    act(async () => {
      const created = await preauApi("POST", `/forums/${form.dataset.forum}/discussions`, body);
      location.href = `/forums/discussions/${created.id}/`;
    });
  });

  // A forum page: its discussion list follows the forum live.
  const forumBox = $("#forum");
  if (forumBox) {
    const forumId = forumBox.dataset.forum;
    const refresh = async () => {
      const response = await fetch(`/forums/${forumId}/discussions/`, { credentials: "same-origin" });
      if (response.ok) $("#discussion-rows").innerHTML = await response.text();
    };
    window.preauRealtime.subscribe(`forum:${forumId}`, refresh, {
      since: Number(forumBox.dataset.since),
      onResync: refresh,
    });
    followOwnTopic((data) => String(data.forum_id) === forumId && refresh());
  }

  // A post that only some readers may read (a private reply, a Q&A answer) is announced on
  // each of their own topics, never on the forum's: follow it too, after the bell has
  // chosen where its replay starts (notifications.js).
  const POST_EVENTS = new Set([
    "forum.post_created",
    "forum.post_edited",
    "forum.post_hidden",
    "forum.posts_removed",
    "forum.like_count",
  ]);
  function followOwnTopic(onPostEvent) {
    const me = document.body.dataset.userId;
    window.addEventListener("load", () =>
      window.preauRealtime.subscribe(`user:${me}`, (frame) => {
        if (POST_EVENTS.has(frame.type)) onPostEvent(frame.data, frame);
      }),
    );
  }

  const page = $("#discussion");
  if (!page) return;
  const discussionId = page.dataset.discussion;
  const posts = $("#posts");
  const replyForm = $("#reply-form");

  function depthOf(element) {
    return Number(element?.dataset.depth ?? -1);
  }

  // Where a reply to `parentId` goes: after the last post of its parent's subtree.
  function insertionPoint(parentId) {
    const parent = parentId ? $(`#post-${parentId}`) : null;
    if (!parent) return null;
    let next = parent.nextElementSibling;
    while (next && depthOf(next) > depthOf(parent)) next = next.nextElementSibling;
    return next;
  }

  async function showPost(postId, parentId) {
    const existing = $(`#post-${postId}`);
    const parent = parentId ? $(`#post-${parentId}`) : null;
    const depth = existing ? depthOf(existing) : parent ? Math.min(depthOf(parent) + 1, 6) : 0;
    const response = await fetch(`/forums/messages/${postId}/?depth=${depth}`, {
      credentials: "same-origin",
    });
    if (!response.ok) {
      $(`#post-${postId}`)?.remove(); // no longer visible to this reader
      return;
    }
    const holder = document.createElement("div");
    holder.innerHTML = (await response.text()).trim();
    const fresh = holder.firstElementChild;
    // Looked up again: the live event and the author's own submit may both fetch it.
    const current = $(`#post-${postId}`);
    if (current) {
      // An edit under way survives a fresh copy of its post (the live event of one's own
      // reply, or an edit made in another tab): the form moves over, typing and all.
      const editing = current.querySelector("form.edit-form");
      if (editing) {
        const body = fresh.querySelector(".post-body");
        body.hidden = true;
        body.after(editing);
      }
      current.replaceWith(fresh);
    } else {
      fresh.classList.add("fresh");
      posts.insertBefore(fresh, insertionPoint(parentId));
      markRead();
    }
  }

  // A new post is fetched once: the author's own submit and its live event both announce it,
  // and a second copy replacing the first under the author's pointer would swallow a click.
  const arriving = new Map();
  function showNewPost(postId, parentId) {
    if ($(`#post-${postId}`)) return undefined;
    if (!arriving.has(postId)) {
      arriving.set(postId, showPost(postId, parentId).finally(() => arriving.delete(postId)));
    }
    return arriving.get(postId);
  }

  // The like button's tooltip names who liked: fetched again with the post (the event only
  // carries the count), copied onto the button alone so that an open edit form survives.
  async function refreshLikers(postId) {
    const response = await fetch(`/forums/messages/${postId}/`, { credentials: "same-origin" });
    if (!response.ok) return;
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fresh = holder.querySelector(".like");
    const shown = $(`#post-${postId} .like`);
    if (fresh && shown) {
      shown.title = fresh.title;
      shown.querySelector(".like-count").textContent = fresh.querySelector(".like-count").textContent;
    }
  }

  let readTimer = null;
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      const ids = [...posts.querySelectorAll(".post")].map((p) => Number(p.dataset.post));
      if (ids.length) preauApi("PUT", `/discussions/${discussionId}/read`, { up_to: Math.max(...ids) }).catch(() => {});
    }, 800);
  }

  function setLocked(locked) {
    page.dataset.locked = locked ? "1" : "0";
    $("#locked-badge").hidden = !locked;
    if (replyForm) replyForm.hidden = locked;
    if ($("#locked-note")) $("#locked-note").hidden = !locked;
    for (const button of posts.querySelectorAll("button.reply, button.quote-button")) button.hidden = locked;
  }

  // Personal toggles (favourite, follow) keep their label and say their state with
  // aria-pressed; the moderators' pin and lock say what a click will do (data-on/data-off).
  const isOn = (button) =>
    button.dataset.state ? button.dataset.state === "on" : button.getAttribute("aria-pressed") === "true";

  function setOn(button, on) {
    if (!button) return;
    if (button.dataset.state) {
      button.dataset.state = on ? "on" : "off";
      button.textContent = on ? button.dataset.on : button.dataset.off;
    } else {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  function setPressed(id, on) {
    setOn($(`#${id}`), on);
  }

  function notice(text) {
    const box = document.createElement("p");
    box.className = "flash";
    box.setAttribute("role", "status");
    box.textContent = text;
    page.prepend(box);
  }

  const handlers = {
    "forum.post_created": (d) => showNewPost(d.post_id, d.parent_id),
    "forum.post_edited": (d) => showPost(d.post_id),
    "forum.post_hidden": (d) => showPost(d.post_id),
    "forum.like_count": (d) => {
      const count = $(`#post-${d.post_id} .like-count`);
      if (count) count.textContent = d.like_count;
      refreshLikers(d.post_id);
    },
    "forum.discussion_updated": (d) => {
      $("#pinned-badge").hidden = !d.pinned;
      setPressed("pin", d.pinned);
      setPressed("lock", d.locked);
      setLocked(d.locked);
    },
    "forum.posts_removed": (d) => {
      for (const id of d.post_ids) $(`#post-${id}`)?.remove();
      if (d.moved_to_discussion_id) notice("Une partie du fil a été déplacée dans une nouvelle discussion.");
    },
    "forum.discussion_moved": () => notice("Cette discussion a été déplacée dans un autre forum."),
    "forum.discussion_deleted": () => notice("Cette discussion a été supprimée."),
  };

  // How many others read the discussion right now: a count, never names (a trainer must
  // not watch a participant arrive; the server sends only the number, this reader included).
  Object.assign(handlers, {
    "presence.count": (d) => {
      const box = $("#readers");
      const others = Math.max(0, d.count - 1);
      box.textContent = others === 1 ? box.dataset.one : box.dataset.many.replace("%(n)s", String(others));
      box.hidden = others === 0;
    },
  });

  window.preauRealtime.subscribe(
    `discussion:${discussionId}`,
    (frame) => handlers[frame.type]?.(frame.data),
    { since: Number(page.dataset.since), presence: true, onResync: () => location.reload() },
  );
  followOwnTopic((data, frame) => {
    if (String(data.discussion_id) === discussionId) handlers[frame.type]?.(data);
  });
  window.preauRealtime.onStatus((status) => {
    $("#live-status").textContent = status === "open" ? "En direct" : "Reconnexion…";
    page.dataset.live = status;
  });

  // Toolbar: personal toggles and the moderators' pin and lock.
  for (const button of page.querySelectorAll(".toolbar button.toggle")) {
    button.addEventListener("click", () =>
      act(async () => {
        const on = !isOn(button);
        await preauApi(on ? "PUT" : "DELETE", button.dataset.path);
        setOn(button, on);
      }),
    );
  }

  $("#move")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const forumId = Number(new FormData(event.target).get("forum_id"));
    act(async () => {
      await preauApi("POST", `/discussions/${discussionId}/move`, { forum_id: forumId });
      location.href = `/forums/${forumId}/`;
    });
  });

  async function uploadAttachment(postId, file) {
    const data = new FormData();
    data.append("file", file);
    const response = await fetch(`/api/v1/posts/${postId}/attachments`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      body: data,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error(body?.error?.message || `HTTP ${response.status}`);
    }
  }

  replyForm?.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(replyForm);
    const body = { body: data.get("body"), private: data.get("private") === "on" };
    for (const field of ["parent_id", "quote_id"]) {
      if (data.get(field)) body[field] = Number(data.get(field));
    }
    act(async () => {
      const post = await preauApi("POST", `/discussions/${discussionId}/posts`, body);
      const file = data.get("file");
      replyForm.reset();
      $("#reply-context").textContent = "";
      if (file && file.size) {
        await uploadAttachment(post.id, file);
        await showPost(post.id, post.parent_id); // again, with its attachment
      } else {
        await showNewPost(post.id, post.parent_id);
      }
    });
  });

  function prepareReply(postId, author, quote) {
    replyForm.elements.parent_id.value = postId;
    replyForm.elements.quote_id.value = quote ? postId : "";
    $("#reply-context").textContent = `${quote ? "Citation de" : "En réponse à"} ${author}`;
    replyForm.elements.body.focus();
  }

  const postActions = {
    like: async (button) => {
      const on = button.getAttribute("aria-pressed") !== "true";
      const result = await preauApi(on ? "PUT" : "DELETE", `/posts/${button.dataset.post}/like`);
      button.setAttribute("aria-pressed", result.liked_by_me ? "true" : "false");
      button.querySelector(".like-count").textContent = result.like_count;
      await refreshLikers(button.dataset.post);
    },
    reply: async (button) => prepareReply(button.dataset.post, button.dataset.author, false),
    "quote-button": async (button) => prepareReply(button.dataset.post, button.dataset.author, true),
    edit: async (button) => {
      const article = button.closest(".post");
      const shown = article.querySelector(".post-body");
      if (article.querySelector("form.edit-form")) return;
      const form = document.createElement("form");
      form.className = "edit-form";
      const area = document.createElement("textarea");
      area.name = "body";
      area.rows = 5;
      area.setAttribute("aria-label", "Texte du message");
      // The post's Markdown, given by the server (forums/markdown.py): never its raw HTML.
      area.value = article.querySelector("template.post-source")?.content.textContent ?? "";
      const save = Object.assign(document.createElement("button"), { type: "submit", textContent: "Enregistrer" });
      const cancel = Object.assign(document.createElement("button"), { type: "button", textContent: "Annuler" });
      form.append(area, save, cancel);
      shown.hidden = true;
      shown.after(form);
      window.preauEditor?.(area);
      area.focus();
      // The post's element may have been replaced by a fresh copy meanwhile (showPost).
      const close = () => {
        const body = form.closest(".post")?.querySelector(".post-body");
        form.remove();
        if (body) body.hidden = false;
      };
      cancel.addEventListener("click", close);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        act(async () => {
          await preauApi("PATCH", `/posts/${button.dataset.post}`, { body: area.value });
          close();
          await showPost(article.dataset.post);
        });
      });
    },
    hide: async (button) => {
      const reason = prompt("Motif, montré à l'auteur :");
      if (reason) await preauApi("PUT", `/posts/${button.dataset.post}/hidden`, { reason });
    },
    unhide: async (button) => preauApi("DELETE", `/posts/${button.dataset.post}/hidden`),
    delete: async (button) => {
      if (confirm("Supprimer ce message et ses réponses ?")) {
        await preauApi("DELETE", `/posts/${button.dataset.post}`);
      }
    },
    split: async (button) => {
      const title = prompt("Titre de la nouvelle discussion :");
      if (!title) return;
      const created = await preauApi("POST", `/posts/${button.dataset.post}/split`, { title });
      location.href = `/forums/discussions/${created.id}/`;
    },
  };

  posts.addEventListener("click", (event) => {
    const button = event.target.closest(".post-actions button");
    if (!button) return;
    const name = Object.keys(postActions).find((key) => button.classList.contains(key));
    if (name) act(() => postActions[name](button));
  });

  setLocked(page.dataset.locked === "1");
})();
