// The classroom page: tiles, toggles, hands, reactions, chat, participants and moderation,
// quick polls, breakouts and the agenda. State comes from GET /api/v1/classrooms/{id} and
// the room's topic; writes go through the API or the topic (same services either way).
"use strict";

(function () {
  const root = document.getElementById("classroom");
  if (!root) return;
  const roomId = Number(root.dataset.room);
  const me = Number(root.dataset.user);
  const moderator = root.dataset.moderator === "1";
  const topic = `classroom:${roomId}`;
  const api = (method, path, body) => preauApi(method, `/classrooms/${roomId}${path}`, body);
  let state = JSON.parse(document.getElementById("room-state-data").textContent);
  const present = new Map(); // user id -> name (live presence)
  const tiles = document.getElementById("tiles");
  const meter = new PreauSpeakingMeter();
  const $ = (id) => document.getElementById(id);
  let followed;
  const following = new Promise((resolve) => { followed = resolve; });

  // -- media ------------------------------------------------------------------------------

  const media = new PreauClassroomMedia({
    topic,
    realtime: preauRealtime,
    iceServers: JSON.parse(document.getElementById("ice-servers").textContent),
    onTrack: showTrack,
    onTrackEnded: hideTrack,
    onState: (value, reason) => {
      if (value === "error") showError(new Error(reason));
      $("media-state").textContent = value === "closed" ? `Média coupé (${reason || "fin"})` : "";
      if (value === "closed" && reason === "removed") location.reload();
    },
  });

  function tileFor(userId, source) {
    const id = `tile-${userId}-${source === "screen" ? "screen" : "cam"}`;
    let tile = document.getElementById(id);
    if (!tile) {
      tile = document.createElement("figure");
      tile.className = "tile";
      tile.id = id;
      tile.dataset.user = userId;
      const video = document.createElement("video");
      video.autoplay = video.playsInline = video.muted = true;
      const caption = document.createElement("figcaption");
      caption.textContent = (present.get(userId) || `#${userId}`) + (source === "screen" ? " (écran)" : "");
      tile.append(video, caption);
      tiles.append(tile);
    }
    return tile;
  }

  function showTrack(mid, info, track) {
    const tile = tileFor(info.user_id, info.source);
    if (track.kind === "video") {
      const video = tile.querySelector("video");
      video.srcObject = new MediaStream([track]);
      video.play().catch(() => {});
    } else {
      const audio = document.createElement("audio");
      audio.autoplay = true;
      audio.dataset.mid = mid;
      audio.srcObject = new MediaStream([track]);
      tile.append(audio);
      meter.watch(mid, track, tile);
    }
    tile.dataset[`mid${track.kind}`] = mid;
    applyGroups();
  }

  function hideTrack(mid) {
    meter.unwatch(mid);
    for (const tile of tiles.querySelectorAll(".tile:not(.me)")) {
      if (tile.dataset.midvideo === mid) {
        tile.querySelector("video").srcObject = null;
        delete tile.dataset.midvideo;
      }
      tile.querySelector(`audio[data-mid="${mid}"]`)?.remove();
      if (!tile.dataset.midvideo && !tile.querySelector("audio")) tile.remove();
    }
  }

  $("join-media").addEventListener("click", async () => {
    let stream = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
      $("local-video").srcObject = stream;
      const mic = stream.getAudioTracks()[0];
      if (mic) meter.watch("me", mic, $("tile-me"));
    } catch (error) {
      showError(new Error("Micro ou caméra indisponible : vous suivez la classe sans eux."));
    }
    try {
      // The gateway takes sends on a topic only once this tab follows it.
      await following;
      await media.join(stream);
    } catch (error) {
      showError(error);
      return;
    }
    $("join-media").hidden = true;
    for (const id of ["toggle-mic", "toggle-camera", "toggle-screen"]) $(id).hidden = !stream;
    if (state.me.mic_muted) setToggle("toggle-mic", false);
  });

  function setToggle(id, on) {
    $(id).setAttribute("aria-pressed", String(on));
    if (id === "toggle-mic") media.setEnabled("audio", on);
    if (id === "toggle-camera") media.setEnabled("video", on);
  }

  $("toggle-mic").addEventListener("click", async () => {
    const on = $("toggle-mic").getAttribute("aria-pressed") !== "true";
    try {
      if (on && state.me.mic_muted) await api("POST", "/me/unmute");
      setToggle("toggle-mic", on);
    } catch (error) { showError(error); }
  });

  $("toggle-camera").addEventListener("click", async () => {
    const on = $("toggle-camera").getAttribute("aria-pressed") !== "true";
    try {
      if (on && state.me.camera_stopped) await api("POST", "/me/camera");
      setToggle("toggle-camera", on);
    } catch (error) { showError(error); }
  });

  $("toggle-screen").addEventListener("click", async () => {
    const button = $("toggle-screen");
    try {
      if (button.getAttribute("aria-pressed") === "true") await media.stopScreen();
      else await media.startScreen();
      button.setAttribute("aria-pressed", String(!!media.screen));
    } catch (error) { showError(error); }
  });

  // -- hands and reactions ----------------------------------------------------------------

  $("toggle-hand").addEventListener("click", async () => {
    const raised = $("toggle-hand").getAttribute("aria-pressed") !== "true";
    try {
      await preauRealtime.send(topic, "hand.set", { raised });
    } catch (error) { showError(error); }
  });

  for (const button of document.querySelectorAll(".react")) {
    button.addEventListener("click", () =>
      preauRealtime.send(topic, "reaction", { emoji: button.dataset.emoji }).catch(showError));
  }

  function paintHands(queue) {
    const list = $("hands");
    list.replaceChildren(...queue.map((person) => {
      const item = document.createElement("li");
      item.textContent = person.name;
      item.dataset.user = person.user_id;
      if (moderator) item.append(button("Baisser", () => api("DELETE", `/hands/${person.user_id}`)));
      return item;
    }));
    $("toggle-hand").setAttribute("aria-pressed", String(queue.some((p) => p.user_id === me)));
  }

  // -- participants and moderation --------------------------------------------------------

  function button(label, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.addEventListener("click", () => action().catch(showError));
    return element;
  }

  function paintPeople() {
    const people = $("people");
    const byUser = new Map(state.people.map((p) => [p.user_id, p]));
    people.replaceChildren(...[...present].map(([userId, name]) => {
      const item = document.createElement("li");
      item.dataset.user = userId;
      const live = byUser.get(userId) || {};
      item.textContent = name + (userId === state.presenter_id ? " · présente" : "")
        + (live.mic_muted ? " · micro coupé" : "") + (live.camera_stopped ? " · caméra arrêtée" : "")
        + (live.group ? ` · groupe ${live.group}` : "");
      if (moderator && userId !== me) {
        const path = `/participants/${userId}`;
        item.append(
          button("Couper le micro", () => api("POST", `${path}/mute`)),
          button("Arrêter la caméra", () => api("POST", `${path}/stop-camera`)),
          button("Présentateur", () => api("PUT", "/presenter", { user_id: userId })),
          button("Retirer", () => confirm(`Retirer ${name} de la classe ?`) ? api("POST", `${path}/remove`) : Promise.resolve()),
        );
      }
      return item;
    }));
  }

  function updatePerson(data) {
    const rest = state.people.filter((p) => p.user_id !== data.user_id);
    state.people = [...rest, data];
    if (data.user_id === me) {
      state.me.mic_muted = data.mic_muted;
      state.me.camera_stopped = data.camera_stopped;
      if (data.mic_muted) setToggle("toggle-mic", false);
      if (data.camera_stopped) setToggle("toggle-camera", false);
    }
    paintPeople();
    applyGroups();
  }

  // Breakout rooms: tiles of other groups are hidden (the SFU sends them no media anyway).
  function applyGroups() {
    const groups = new Map(state.people.map((p) => [p.user_id, p.group || null]));
    const mine = groups.get(me) || null;
    for (const tile of tiles.querySelectorAll(".tile:not(.me)")) {
      tile.hidden = (groups.get(Number(tile.dataset.user)) || null) !== mine;
    }
    const banner = $("breakout-banner");
    banner.hidden = !state.breakouts.groups;
    if (state.breakouts.groups) {
      const end = state.breakouts.ends_at ? new Date(state.breakouts.ends_at).toLocaleTimeString("fr-FR") : "";
      banner.textContent = (mine ? `Sous-groupe ${mine}` : "Salle principale") + (end ? ` · retour à ${end}` : "");
    }
  }

  function paintSettings() {
    $("room-state").textContent = { scheduled: "prévue", open: "ouverte (accueil)", live: "en cours", ended: "terminée" }[state.state];
    for (const box of document.querySelectorAll("[data-setting]")) box.checked = !!state[box.dataset.setting];
    $("chat-form").querySelector("input").disabled = state.chat_locked && !moderator;
    paintPeople();
  }

  for (const box of document.querySelectorAll("[data-setting]")) {
    box.addEventListener("change", () =>
      api("PATCH", "", { [box.dataset.setting]: box.checked }).catch(showError));
  }
  $("mute-all")?.addEventListener("click", () => api("POST", "/mute-all").catch(showError));
  for (const life of document.querySelectorAll("[data-life]")) {
    life.addEventListener("click", () => api("POST", `/${life.dataset.life}`).catch(showError));
  }

  function paintWaiting(waiting) {
    const box = $("waiting");
    if (!box) return;
    box.hidden = !waiting.length;
    box.querySelector("ul").replaceChildren(...waiting.map((person) => {
      const item = document.createElement("li");
      item.textContent = person.name;
      item.append(button("Faire entrer", () => api("POST", `/participants/${person.user_id}/admit`)));
      return item;
    }));
  }

  // -- chat -------------------------------------------------------------------------------

  function addLine(data) {
    const item = document.createElement("li");
    item.dataset.message = data.message_id;
    const who = document.createElement("strong");
    who.textContent = data.author;
    item.append(who, ` ${data.body}`);
    if (moderator) item.append(button("Supprimer", () => preauApi("DELETE", `/classrooms/chat/${data.message_id}`)));
    $("chat-lines").append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  $("chat-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = event.target.querySelector("input");
    try {
      await preauRealtime.send(topic, "chat.message", { body: input.value });
      input.value = "";
    } catch (error) { showError(error); }
  });

  // -- polls, breakouts, agenda -----------------------------------------------------------

  const polls = new Map();

  async function showPoll(pollId) {
    const poll = await preauApi("GET", `/classrooms/polls/${pollId}`);
    polls.set(pollId, poll);
    paintPoll(poll);
  }

  function paintPoll(poll) {
    let box = document.getElementById(`poll-${poll.poll_id}`);
    if (!box) {
      box = document.createElement("form");
      box.id = `poll-${poll.poll_id}`;
      box.className = "quick-poll";
      $("polls").prepend(box);
      box.addEventListener("submit", async (event) => {
        event.preventDefault();
        const choices = [...box.querySelectorAll("input:checked")].map((input) => Number(input.value));
        await preauApi("PUT", `/classrooms/polls/${poll.poll_id}/answer`, { choices }).catch(showError);
      });
    }
    const kind = poll.multiple ? "checkbox" : "radio";
    const lines = poll.choices.map((choice, index) => {
      const count = poll.counts ? ` — ${poll.counts[index]}` : "";
      const checked = poll.my_choices?.includes(index) ? "checked" : "";
      return `<label><input type="${kind}" name="c" value="${index}" ${checked} ${poll.state !== "open" ? "disabled" : ""}> <span></span>${count}</label>`;
    });
    box.innerHTML = `<p><strong></strong> <span class="muted">${poll.anonymous ? "anonyme" : "nominatif"}${poll.state !== "open" ? " · clos" : ""}</span></p>${lines.join("")}`;
    box.querySelector("strong").textContent = poll.question;
    box.querySelectorAll("label span").forEach((span, index) => { span.textContent = poll.choices[index]; });
    if (poll.state === "open") box.append(Object.assign(document.createElement("button"), { type: "submit", textContent: "Répondre" }));
    if (moderator && poll.state === "open") box.append(button("Clore", () => preauApi("POST", `/classrooms/polls/${poll.poll_id}/close`)));
  }

  function pollResults(data) {
    const poll = polls.get(data.poll_id);
    if (!poll) return;
    poll.counts = data.counts;
    poll.respondents = data.respondents;
    paintPoll(poll);
  }

  $("poll-form")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      await api("POST", "/polls", {
        question: form.question.value,
        choices: form.choices.value.split("\n").map((c) => c.trim()).filter(Boolean),
        multiple: form.multiple.checked,
        anonymous: !form.named.checked,
        results_public: form.results_public.checked,
      });
      form.reset();
    } catch (error) { showError(error); }
  });

  $("breakout-form")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const participants = [...present.keys()].filter((id) => id !== me);
    await api("POST", "/breakouts", {
      count: Number(form.count.value), minutes: Number(form.minutes.value), participants,
    }).catch(showError);
  });
  $("breakout-end")?.addEventListener("click", () => api("DELETE", "/breakouts").catch(showError));

  function paintAgenda() {
    const segment = state.segment;
    $("agenda").hidden = !segment || state.state !== "live";
    if (!segment) return;
    $("segment-title").textContent = segment.title;
    $("segment-next").textContent = segment.next ? `ensuite : ${segment.next.title}` : "";
    const ends = segment.started_at ? new Date(segment.started_at).getTime() + segment.minutes * 60000 : null;
    const left = ends ? Math.max(0, Math.round((ends - Date.now()) / 1000)) : null;
    $("segment-left").textContent = left === null ? "" : `${Math.floor(left / 60)} min ${String(left % 60).padStart(2, "0")} s restantes`;
  }
  setInterval(paintAgenda, 1000);
  $("segment-next-button")?.addEventListener("click", () => api("POST", "/agenda/next").catch(showError));

  // -- the topic --------------------------------------------------------------------------

  async function reload() {
    state = await api("GET", "");
    preauRealtime.resumeFrom(state.topics);
    paintSettings();
    paintHands(state.hands);
    paintWaiting(state.waiting);
    paintAgenda();
    applyGroups();
    for (const pollId of state.polls) if (!polls.has(pollId)) showPoll(pollId);
  }

  const handlers = {
    "presence.state": (d) => { present.clear(); for (const u of d.users) present.set(u.user_id, u.name); paintPeople(); },
    "presence.join": (d) => { present.set(d.user_id, d.name); paintPeople(); },
    "presence.leave": (d) => { present.delete(d.user_id); paintPeople(); },
    "chat.message": addLine,
    "chat.deleted": (d) => document.querySelector(`[data-message="${d.message_id}"]`)?.remove(),
    "room.updated": (d) => { Object.assign(state, d.room); if (d.room.state === "ended") media.leave(); reload(); },
    "participant.updated": updatePerson,
    "participants.muted": () => reload().then(() => state.me.mic_muted && setToggle("toggle-mic", false)),
    "participant.removed": (d) => {
      if (d.user_id === me) location.reload();
      present.delete(d.user_id);
      paintPeople();
    },
    "hands.changed": (d) => paintHands(d.queue),
    "waiting.changed": (d) => paintWaiting(d.waiting),
    reaction: (d) => {
      const stream = $("reaction-stream");
      stream.textContent = `${present.get(d.user_id) || ""} ${d.emoji}`;
      setTimeout(() => { if (stream.textContent.endsWith(d.emoji)) stream.textContent = ""; }, 3000);
    },
    "quickpoll.opened": (d) => showPoll(d.poll.poll_id),
    "quickpoll.closed": (d) => showPoll(d.poll_id),
    "quickpoll.results": pollResults,
    "breakouts.changed": () => reload(),
    "agenda.changed": () => reload(),
    "media.restart": () => { if (media.joined) media.join(media.local); },
  };

  preauRealtime.subscribe(topic, (frame) => {
    if (frame.type.startsWith("media.") && frame.type !== "media.restart") {
      // Signalling counts only from the SFU (the server stamps `from`): another tab could
      // otherwise address a forged offer to this socket.
      if (frame.from === "sfu") media.handle(frame).catch((error) => showError(error));
      return;
    }
    handlers[frame.type]?.(frame.data);
  }, {
    since: Number(root.dataset.since),
    presence: true,
    onResync: reload,
    onSubscribed: () => followed(),
    onError: (frame) => { showError(new Error(frame.message)); media.leaveConnections(); },
  });
  // Moderators receive private poll results on their own topic.
  preauRealtime.subscribe(`user:${me}`, (frame) => {
    if (frame.type === "quickpoll.results" && frame.data.classroom_id === roomId) pollResults(frame.data);
  });
  // After a dropped connection the SFU has let this socket's media go: join again.
  let wasOpen = false;
  preauRealtime.onStatus((status) => {
    if (status === "open" && wasOpen && media.joined) media.join(media.local);
    if (status === "open") wasOpen = true;
  });
  window.addEventListener("beforeunload", () => media.leave());

  reload();
})();
