// The classroom's media in the browser, on its own WebRTC API and the realtime client.
// Two connections with the SFU (see classrooms/media/room.py): `publish` carries this tab's
// microphone, camera and screen (the browser offers, and renegotiates when one is added or
// stopped); `subscribe` carries the others' tracks (the SFU offers whenever a track appears
// or ends). Signalling travels on the room's topic, to the SFU (`to: "sfu"`) and back to
// this socket: media.join / media.publish / media.answer / media.leave, and media.offer /
// media.answer / media.closed from the SFU. No trickle ICE: each side gathers first.
"use strict";

class PreauClassroomMedia {
  constructor({ topic, realtime, iceServers, onTrack, onTrackEnded, onState }) {
    this.topic = topic;
    this.realtime = realtime;
    this.config = { iceServers: iceServers || [], bundlePolicy: "max-bundle" };
    this.onTrack = onTrack;
    this.onTrackEnded = onTrackEnded;
    this.onState = onState || (() => {});
    this.publisher = null;
    this.subscriber = null;
    this.tracks = {}; // subscribe mid -> {user_id, peer, source}
    this.shown = new Map(); // subscribe mid -> MediaStreamTrack
    this.senders = {}; // source label -> RTCRtpTransceiver of the publish connection
    this.local = null;
    this.screen = null;
    this.publishing = Promise.resolve();
    this.joined = false;
  }

  // To the SFU (directed); `media.join` alone goes to the room's topic, whose handler
  // makes sure the room's media is hosted before passing the join on.
  signal(type, data) {
    const options = type === "media.join" ? {} : { to: "sfu" };
    return this.realtime.send(this.topic, type, data || {}, options);
  }

  // Enter the room's media with `stream` (microphone and camera; may be null to only watch).
  async join(stream) {
    this.leaveConnections();
    this.local = stream;
    this.subscriber = new RTCPeerConnection(this.config);
    this.subscriber.ontrack = (event) => this.trackArrived(event);
    this.subscriber.onconnectionstatechange = () => this.onState(this.subscriber?.connectionState);
    this.joined = true;
    await this.signal("media.join", {});
    if (stream) await this.republish();
  }

  // Frames of the room's topic addressed to this socket by the SFU (and its broadcasts).
  async handle(frame) {
    if (frame.type === "media.offer") await this.answerOffer(frame.data);
    else if (frame.type === "media.answer" && this.publisher) {
      await this.publisher.setRemoteDescription({ type: "answer", sdp: frame.data.sdp });
    } else if (frame.type === "media.closed") {
      this.leaveConnections();
      this.onState("closed", frame.data.reason);
    } else if (frame.type === "media.error") {
      this.onState("error", frame.data.message);
    }
  }

  async answerOffer({ sdp, tracks }) {
    if (!this.subscriber) return;
    this.tracks = tracks;
    await this.subscriber.setRemoteDescription({ type: "offer", sdp });
    await this.subscriber.setLocalDescription(await this.subscriber.createAnswer());
    await gathered(this.subscriber);
    await this.signal("media.answer", { sdp: this.subscriber.localDescription.sdp });
    // Tracks the SFU no longer sends (someone left, stopped a camera, was removed).
    for (const [mid, track] of this.shown) {
      if (!(mid in tracks)) {
        this.shown.delete(mid);
        this.onTrackEnded(mid, track);
      }
    }
  }

  trackArrived(event) {
    const mid = event.transceiver.mid;
    const info = this.tracks[mid];
    if (!info) return;
    this.shown.set(mid, event.track);
    this.onTrack(mid, info, event.track);
  }

  // Offer the SFU what this tab sends now (after a camera, microphone or screen change).
  republish() {
    this.publishing = this.publishing.then(() => this.doPublish()).catch((error) => {
      this.onState("error", error.message);
    });
    return this.publishing;
  }

  async doPublish() {
    if (!this.joined) return;
    if (!this.publisher) this.publisher = new RTCPeerConnection(this.config);
    const wanted = {};
    for (const track of this.local ? this.local.getTracks() : []) {
      wanted[track.kind === "audio" ? "mic" : "camera"] = track;
    }
    if (this.screen) wanted.screen = this.screen.getVideoTracks()[0];
    for (const [label, track] of Object.entries(wanted)) {
      if (!this.senders[label]) {
        const transceiver = this.publisher.addTransceiver(track, { direction: "sendonly" });
        preferForwardable(transceiver, track.kind);
        this.senders[label] = transceiver;
      }
    }
    for (const [label, transceiver] of Object.entries(this.senders)) {
      if (!wanted[label]) {
        transceiver.sender.replaceTrack(null);
        transceiver.direction = "inactive";
        delete this.senders[label];
      }
    }
    await this.publisher.setLocalDescription(await this.publisher.createOffer());
    await gathered(this.publisher);
    const sources = {};
    for (const [label, transceiver] of Object.entries(this.senders)) sources[transceiver.mid] = label;
    await this.signal("media.publish", { sdp: this.publisher.localDescription.sdp, sources });
  }

  setEnabled(kind, enabled) {
    for (const track of this.local ? this.local.getTracks() : []) {
      if (track.kind === kind) track.enabled = enabled;
    }
  }

  async startScreen() {
    this.screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
    this.screen.getVideoTracks()[0].addEventListener("ended", () => this.stopScreen());
    await this.republish();
    return this.screen;
  }

  async stopScreen() {
    if (!this.screen) return;
    for (const track of this.screen.getTracks()) track.stop();
    this.screen = null;
    await this.republish();
  }

  leaveConnections() {
    for (const [mid, track] of this.shown) this.onTrackEnded(mid, track);
    this.shown.clear();
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = this.subscriber = null;
    this.senders = {};
    this.joined = false;
  }

  async leave() {
    if (this.joined) await this.signal("media.leave", {}).catch(() => {});
    this.leaveConnections();
  }
}

// The SFU forwards frames as they are: it speaks VP8 and Opus, so ask for them first.
function preferForwardable(transceiver, kind) {
  if (!transceiver.setCodecPreferences || !RTCRtpSender.getCapabilities) return;
  const codecs = RTCRtpSender.getCapabilities(kind).codecs;
  const first = kind === "video" ? "video/vp8" : "audio/opus";
  const ordered = [
    ...codecs.filter((c) => c.mimeType.toLowerCase() === first),
    ...codecs.filter((c) => c.mimeType.toLowerCase() === "video/rtx"),
  ];
  if (ordered.length) transceiver.setCodecPreferences(ordered);
}

// Wait until ICE candidates are in the local description (the SFU has no trickle ICE).
function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000); // a slow gatherer: send what is there
  });
}

// Who speaks: the loudness of a track, measured in this browser (nothing is sent).
class PreauSpeakingMeter {
  constructor() {
    this.context = null;
    this.meters = new Map(); // key -> {analyser, data, element}
    this.timer = null;
  }

  watch(key, track, element) {
    if (!window.AudioContext) return;
    this.context ||= new AudioContext();
    const source = this.context.createMediaStreamSource(new MediaStream([track]));
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    this.meters.set(key, { analyser, data: new Uint8Array(analyser.fftSize), element, source });
    this.timer ||= setInterval(() => this.tick(), 200);
  }

  unwatch(key) {
    const meter = this.meters.get(key);
    if (!meter) return;
    meter.source.disconnect();
    meter.element?.classList.remove("speaking");
    this.meters.delete(key);
  }

  tick() {
    for (const { analyser, data, element } of this.meters.values()) {
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const value of data) peak = Math.max(peak, Math.abs(value - 128));
      element?.classList.toggle("speaking", peak > 12);
    }
  }
}

window.PreauClassroomMedia = PreauClassroomMedia;
window.PreauSpeakingMeter = PreauSpeakingMeter;
