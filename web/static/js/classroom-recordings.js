// The classroom's recordings: moderators start and stop recording the live class, everyone
// sees the badge the moment it starts (the room's topic) and the room's recordings with a
// player once each segment is stored. Reads and writes go through recordings' API.
"use strict";

(function () {
  const box = document.getElementById("room-recordings");
  if (!box) return;
  const roomId = Number(box.dataset.room);
  const toggle = document.getElementById("record-toggle");
  const list = document.getElementById("room-recording-list");
  const badge = document.getElementById("recording-badge");
  const initial = JSON.parse(document.getElementById("room-state-data").textContent);
  let running = initial.status?.recording?.recording_id ?? null;
  let canRecord = false;

  function paintToggle() {
    badge.hidden = running === null;
    toggle.hidden = !canRecord || initial.state === "ended";
    toggle.textContent = running === null ? "Enregistrer la classe" : "Arrêter l'enregistrement";
    toggle.setAttribute("aria-pressed", String(running !== null));
  }

  function clock(seconds) {
    const total = Math.round(seconds || 0);
    const minutes = Math.floor(total / 60);
    return minutes ? `${minutes} min ${String(total % 60).padStart(2, "0")} s` : `${total} s`;
  }

  function item(recording) {
    const element = document.createElement("li");
    element.className = "recording";
    element.dataset.recording = recording.id;
    element.dataset.state = recording.state;
    const title = document.createElement("strong");
    title.textContent = recording.title;
    const about = document.createElement("span");
    about.className = "muted";
    about.textContent = recording.state === "ready"
      ? ` · ${clock(recording.seconds)}` : ` · ${recording.state_label}`;
    element.append(title, about);
    if (recording.note) {
      const note = document.createElement("p");
      note.className = "note";
      note.textContent = recording.note;
      element.append(note);
    }
    if (recording.playback_url) {
      const video = document.createElement("video");
      video.controls = true;
      video.preload = "metadata";
      video.src = recording.playback_url;
      video.setAttribute("aria-label", recording.title);
      element.append(video);
    }
    return element;
  }

  async function load() {
    try {
      const shown = await preauApi("GET", `/classrooms/${roomId}/recordings`);
      canRecord = shown.can_record;
      list.replaceChildren(...shown.recordings.map(item));
      box.hidden = !canRecord && !shown.recordings.length;
      paintToggle();
    } catch (error) {
      box.hidden = true; // not a member who may watch (the API said why): nothing to show
    }
  }

  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    try {
      if (running === null) {
        const started = await preauApi("POST", `/classrooms/${roomId}/recordings`);
        running = started.id;
      } else {
        await preauApi("POST", `/recordings/${running}/stop`);
      }
      paintToggle();
    } catch (error) {
      showError(error);
    } finally {
      toggle.disabled = false;
    }
  });

  preauRealtime.subscribe(`classroom:${roomId}`, (frame) => {
    if (frame.type === "recording.started") {
      running = frame.data.recording_id;
      paintToggle();
      load();
    } else if (frame.type === "recording.stopped") {
      if (running === frame.data.recording_id) running = null;
      paintToggle();
      load();
    } else if (frame.type === "room.updated" && frame.data.room?.state) {
      initial.state = frame.data.room.state;
      paintToggle();
    }
  });

  load();
})();
