// The realtime gateway's browser client: one WebSocket per tab at /ws/ (session cookie),
// topics with callbacks, and resumption after a drop: on reconnect each topic is
// re-subscribed with `since` = the last seq seen, so nothing durable is missed.
// Ephemeral frames (cursors, hands, signalling) go out with `signal` (no answer) or `send`;
// binary ones with `sendBytes`; both may name one recipient (`to`). See docs/realtime.md.
"use strict";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

class PreauRealtime {
  constructor(url) {
    this.url = url || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/`;
    this.topics = new Map(); // topic -> {callbacks, seq, presence, onResync, onError}
    this.pending = new Map(); // ref -> {resolve, reject}
    this.statusListeners = new Set();
    this.socket = null;
    this.attempt = 0;
    this.nextRef = 1;
    this.status = "closed";
  }

  // Follow `topic`; `onEvent(frame)` gets {topic, seq?, type, data}. Options: `since` (resume
  // from a seq the page already shows), `presence` (also receive presence.* frames),
  // `onResync(seq)` (the page must reload its state over HTTP), `onError(error frame)`,
  // `onSubscribed(seq)` (the topic's last seq when the subscription was granted).
  // Returns a function that stops following.
  subscribe(topic, onEvent, options = {}) {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { callbacks: new Set(), seq: options.since ?? null, presence: !!options.presence };
      entry.onResync = options.onResync;
      entry.onError = options.onError;
      entry.onSubscribed = options.onSubscribed;
      this.topics.set(topic, entry);
      if (this.status === "open") this.sendSubscribe(topic, entry);
    }
    entry.callbacks.add(onEvent);
    this.connect();
    return () => {
      entry.callbacks.delete(onEvent);
      if (entry.callbacks.size) return;
      this.topics.delete(topic);
      if (this.status === "open") this.write({ op: "unsubscribe", topic });
    };
  }

  // The page has just read its state over HTTP with these heads (an API read's `topics`):
  // everything up to them is in that state, so each topic followed continues after them
  // (frames up to a head that are still on their way are then skipped, not applied twice).
  resumeFrom(topics = {}) {
    for (const [topic, seq] of Object.entries(topics)) {
      const entry = this.topics.get(topic);
      if (entry && (entry.seq === null || seq > entry.seq)) entry.seq = seq;
    }
  }

  // Send a client event on a topic the tab follows; resolves with the seq it was given
  // (null for an ephemeral type). `options.to`: one connection id or server peer's name.
  send(topic, type, data, options = {}) {
    const ref = `c-${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
      const frame = { op: "send", topic, type, data, ref };
      if (options.to) frame.to = options.to;
      if (!this.write(frame)) {
        this.pending.delete(ref);
        reject(Object.assign(new Error("Connexion interrompue."), { code: "offline" }));
      }
    });
  }

  // An ephemeral frame nobody answers (a cursor move, an ICE candidate): dropped when offline.
  signal(topic, type, data, options = {}) {
    const frame = { op: "send", topic, type, data };
    if (options.to) frame.to = options.to;
    return this.write(frame);
  }

  // A binary ephemeral frame (a CRDT update): a 2-byte header length, a JSON header, bytes.
  sendBytes(topic, type, bytes, options = {}) {
    const header = { op: "send", topic, type };
    if (options.to) header.to = options.to;
    const head = textEncoder.encode(JSON.stringify(header));
    const frame = new Uint8Array(2 + head.length + bytes.length);
    new DataView(frame.buffer).setUint16(0, head.length);
    frame.set(head, 2);
    frame.set(bytes, 2 + head.length);
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(frame);
    return true;
  }

  onStatus(listener) {
    this.statusListeners.add(listener);
    listener(this.status);
  }

  setStatus(status) {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  connect() {
    if (this.socket) return;
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.setStatus("connecting");
    socket.onopen = () => {
      this.attempt = 0;
      this.setStatus("open");
      for (const [topic, entry] of this.topics) this.sendSubscribe(topic, entry);
    };
    socket.onmessage = (message) => this.receive(decode(message.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      for (const { reject } of this.pending.values()) {
        reject(Object.assign(new Error("Connexion interrompue."), { code: "offline" }));
      }
      this.pending.clear();
      this.setStatus("closed");
      this.scheduleReconnect();
    };
  }

  // Exponential backoff with jitter: 0.5 s, 1 s, 2 s... up to 15 s.
  scheduleReconnect() {
    const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    setTimeout(() => this.connect(), delay);
  }

  write(frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  sendSubscribe(topic, entry) {
    const frame = { op: "subscribe", topic, presence: entry.presence };
    if (entry.seq !== null) frame.since = entry.seq;
    this.write(frame);
  }

  receive(frame) {
    if (frame.op === undefined) {
      const entry = this.topics.get(frame.topic);
      if (!entry) return;
      if (frame.seq !== undefined) {
        if (entry.seq !== null && frame.seq <= entry.seq) return;
        entry.seq = frame.seq;
      }
      for (const callback of entry.callbacks) callback(frame);
      return;
    }
    const entry = frame.topic ? this.topics.get(frame.topic) : undefined;
    if (frame.op === "subscribed" && entry) {
      if (entry.seq === null) entry.seq = frame.seq;
      if (entry.onSubscribed) entry.onSubscribed(frame.seq);
    } else if (frame.op === "resync" && entry) {
      entry.seq = frame.seq;
      if (entry.onResync) entry.onResync(frame.seq);
    } else if (frame.op === "ack" || frame.op === "error") {
      const waiting = this.pending.get(frame.ref);
      this.pending.delete(frame.ref);
      if (waiting && frame.op === "ack") waiting.resolve(frame.seq);
      if (waiting && frame.op === "error") {
        waiting.reject(Object.assign(new Error(frame.message), { code: frame.code }));
      } else if (frame.op === "error" && entry && frame.ref === undefined) {
        // A refused or withdrawn subscription: stop following it.
        this.topics.delete(frame.topic);
        if (entry.onError) entry.onError(frame);
      }
    }
  }
}

// A text frame is JSON; a binary one becomes its header with the payload under `bytes`.
function decode(data) {
  if (typeof data === "string") return JSON.parse(data);
  const length = new DataView(data).getUint16(0);
  const header = JSON.parse(textDecoder.decode(new Uint8Array(data, 2, length)));
  header.bytes = new Uint8Array(data, 2 + length);
  return header;
}

window.PreauRealtime = PreauRealtime;
window.preauRealtime = new PreauRealtime();
