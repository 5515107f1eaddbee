// callcoach voice: push to talk for practice sessions and review rehearsals. No inline scripts
// (the app's CSP forbids them); include with <script src="/static/voice.js" defer></script>.
//
// Markup (one widget per page; the space bar talks to the first one):
//   <meta name="csrf-token" content="...">                  (base.html has it)
//   <section data-voice-url="/practice/sessions/7/voice">    POST target for each turn
//     <button type="button" data-voice-talk>Hold to talk</button>
//     <p data-voice-status aria-live="polite"></p>           what is happening, errors
//     <p data-voice-heard></p>                               what the speaker said
//     <p data-voice-reply></p>                               the reply, as text
//   </section>
// The section's data-voice-state is idle | recording | sending | playing | error, for CSS and
// tests; it fires DOM events voice:heard, voice:reply, voice:note, voice:playing, voice:done, voice:error
// (detail: {text} or {message}) so a page can append turns to its transcript. With the
// attribute data-voice-reload on the section, the page reloads once the reply has played (and
// no new turn has started), so the server's transcript shows the turn just spoken.
//
// Contract with the server (callcoach.voice.reply_stream holds the Python side):
//   Request: POST <data-voice-url>, body = the recording as recorded (MediaRecorder:
//     audio/webm;codecs=opus in Chromium, audio/ogg;codecs=opus in Firefox), Content-Type =
//     its media type, header X-CSRF-Token from <meta name="csrf-token">, same-origin cookies.
//   Bad turn (empty, silent, no speech, unreadable), or one refused (not found, the attempt has
//   ended): 4xx with JSON {"detail": "..."} (the app answers JSON to a request whose Accept
//   names JSON and not text/html, page routes included).
//   Otherwise 200 application/x-ndjson, one JSON object a line, written as each is ready:
//     {"event":"heard","text":...}, {"event":"reply","text":...},
//     {"event":"audio","index":0,"text":...,"media_type":"audio/wav","duration_s":...,
//      "audio":"<base64>"} per sentence, then {"event":"done","sentences":n};
//     {"event":"note","text":...} instead of "reply" when nothing is said back (not spoken);
//     or {"event":"error","message":...}.
//   Why: the first sentence plays while the server is still making the next (the reply starts
//   as early as it can), in one request, with no state kept on the server. The audio is played
//   through the Web Audio API, which the CSP's media-src 'self' (no blob: URLs) allows.
"use strict";

(function () {
  const MIN_HOLD_MS = 300; // a shorter press is a tap, not a turn
  const MAX_HOLD_MS = 120000; // the server refuses turns over two minutes

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function base64ToBuffer(text) {
    const bytes = atob(text);
    const buffer = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 1) buffer[i] = bytes.charCodeAt(i);
    return buffer.buffer;
  }

  function pickMimeType() {
    const wanted = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"];
    return wanted.find((type) => window.MediaRecorder && MediaRecorder.isTypeSupported(type)) || "";
  }

  class PushToTalk {
    constructor(root) {
      this.root = root;
      this.url = root.dataset.voiceUrl;
      this.button = root.querySelector("[data-voice-talk]");
      this.status = root.querySelector("[data-voice-status]");
      this.heard = root.querySelector("[data-voice-heard]");
      this.reply = root.querySelector("[data-voice-reply]");
      this.stream = null; // the microphone, asked for once and kept
      this.recorder = null;
      this.pressed = false;
      this.pressedAt = 0;
      this.audio = null; // AudioContext, made on the first press (browsers want a gesture)
      this.playUntil = 0;
      this.playing = [];
      this.turn = 0; // a new press abandons the reply still arriving for the previous turn
      this.setState("idle");
      this.bind();
    }

    bind() {
      const down = (event) => { event.preventDefault(); this.press(); };
      const up = (event) => { event.preventDefault(); this.release(); };
      this.button.addEventListener("pointerdown", down);
      this.button.addEventListener("pointerup", up);
      this.button.addEventListener("pointerleave", () => { if (this.pressed) this.release(); });
      this.button.addEventListener("pointercancel", () => { if (this.pressed) this.release(); });
      this.button.addEventListener("contextmenu", (event) => event.preventDefault());
    }

    setState(state, message) {
      this.root.dataset.voiceState = state;
      if (message !== undefined && this.status) this.status.textContent = message;
    }

    emit(name, detail) {
      this.root.dispatchEvent(new CustomEvent("voice:" + name, { detail, bubbles: true }));
    }

    fail(message) {
      this.setState("error", message);
      this.emit("error", { message });
    }

    async press() {
      if (this.pressed || this.root.dataset.voiceState === "sending") return;
      this.pressed = true;
      this.pressedAt = performance.now();
      this.turn += 1;
      this.noteCode = null;
      this.stopPlayback(); // talking over the reply interrupts it, as on a call
      if (!this.audio) this.audio = new (window.AudioContext || window.webkitAudioContext)();
      this.audio.resume().catch(() => {});
      if (!window.MediaRecorder || !navigator.mediaDevices) {
        this.pressed = false;
        this.fail("This browser cannot record audio; use the text box instead.");
        return;
      }
      try {
        if (!this.stream) this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        this.pressed = false;
        this.fail("The microphone is not available (" + error.name + "): allow it for this page.");
        return;
      }
      if (!this.pressed) return; // released while the browser asked for the microphone
      const mimeType = pickMimeType();
      const chunks = [];
      const recorder = new MediaRecorder(this.stream, mimeType ? { mimeType } : undefined);
      recorder.addEventListener("dataavailable", (event) => {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", () => {
        const held = performance.now() - this.pressedAt;
        const blob = new Blob(chunks, { type: recorder.mimeType || mimeType || "audio/webm" });
        if (held < MIN_HOLD_MS) {
          this.setState("idle", "Hold the button (or the space bar) while you speak.");
          return;
        }
        if (!blob.size) {
          this.fail("Nothing was recorded: check the microphone.");
          return;
        }
        this.send(blob);
      });
      this.recorder = recorder;
      recorder.start();
      this.setState("recording", "Listening… release to send.");
      this.limit = setTimeout(() => this.release(), MAX_HOLD_MS);
    }

    release() {
      if (!this.pressed) return;
      this.pressed = false;
      clearTimeout(this.limit);
      if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
      this.recorder = null;
    }

    async send(blob) {
      this.setState("sending", "Thinking…");
      if (this.heard) this.heard.textContent = "";
      if (this.reply) this.reply.textContent = "";
      let response;
      try {
        response = await fetch(this.url, {
          method: "POST",
          body: blob,
          credentials: "same-origin",
          headers: {
            "Content-Type": blob.type,
            "X-CSRF-Token": csrfToken(),
            Accept: "application/x-ndjson, application/json",
          },
        });
      } catch (error) {
        this.fail("The server could not be reached; try again.");
        return;
      }
      if (!response.ok) {
        let message = "The server could not use this recording (" + response.status + ").";
        try {
          const body = await response.json();
          if (body && typeof body.detail === "string") message = body.detail;
        } catch (error) { /* not JSON: keep the generic message */ }
        this.fail(message);
        return;
      }
      await this.readEvents(response, this.turn);
    }

    // Reads the JSON lines as they arrive; each audio line is played as soon as it is decoded.
    async readEvents(response, turn) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let pending = "";
      let finished = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (turn !== this.turn) {
          reader.cancel().catch(() => {});
          return;
        }
        if (value) pending += decoder.decode(value, { stream: true });
        let newline = pending.indexOf("\n");
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) { newline = pending.indexOf("\n"); continue; }
          let event;
          try {
            event = JSON.parse(line);
          } catch (error) {
            this.fail("The server's reply could not be read; try again.");
            reader.cancel().catch(() => {});
            return;
          }
          finished = (await this.handle(event)) || finished;
          newline = pending.indexOf("\n");
        }
        if (done) break;
      }
      if (!finished) this.fail("The reply was cut off; try again.");
    }

    async handle(event) {
      if (event.event === "heard") {
        if (this.heard) this.heard.textContent = event.text;
        this.emit("heard", { text: event.text });
      } else if (event.event === "reply") {
        if (this.reply) this.reply.textContent = event.text;
        this.emit("reply", { text: event.text });
      } else if (event.event === "note") {
        // Nothing was said back: the note says why (shown as a note, never spoken).
        if (this.reply) this.reply.textContent = "(" + event.text + ")";
        this.noteCode = event.code || null;
        this.emit("note", { text: event.text });
      } else if (event.event === "audio") {
        await this.play(event);
      } else if (event.event === "done") {
        const turn = this.turn;
        this.whenPlayed(() => {
          if (turn !== this.turn) return; // talked over: the new turn owns the widget now
          this.setState("idle", "");
          this.emit("done", {});
          if (this.root.dataset.voiceReload === undefined || this.pressed) return;
          if (this.noteCode) {
            // The page shows the note again after the reload (the note is not a stored turn).
            const url = new URL(window.location.href);
            url.searchParams.set("silent", this.noteCode);
            url.hash = "bottom";
            window.location.assign(url.toString());
          } else {
            window.location.reload();
          }
        });
        return true;
      } else if (event.event === "error") {
        this.fail(event.message);
        return true;
      }
      return false;
    }

    async play(event) {
      let buffer;
      try {
        buffer = await this.audio.decodeAudioData(base64ToBuffer(event.audio));
      } catch (error) {
        this.fail("The reply's audio could not be played; read it above.");
        return;
      }
      const source = this.audio.createBufferSource();
      source.buffer = buffer;
      source.connect(this.audio.destination);
      // Sentences play back to back: each starts where the previous one ends.
      const startAt = Math.max(this.audio.currentTime, this.playUntil);
      source.start(startAt);
      this.playUntil = startAt + buffer.duration;
      this.playing.push(source);
      source.addEventListener("ended", () => {
        this.playing = this.playing.filter((s) => s !== source);
        this.root.dataset.voicePlayed = String(Number(this.root.dataset.voicePlayed || 0) + 1);
      });
      if (event.index === 0) {
        this.setState("playing", "");
        this.emit("playing", { text: event.text });
      }
    }

    whenPlayed(callback) {
      const wait = Math.max(0, this.playUntil - this.audio.currentTime);
      setTimeout(callback, wait * 1000);
    }

    stopPlayback() {
      this.playing.forEach((source) => { try { source.stop(); } catch (error) { /* ended */ } });
      this.playing = [];
      this.playUntil = 0;
    }
  }

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function start() {
    const widgets = Array.from(document.querySelectorAll("[data-voice-url]")).map(
      (root) => new PushToTalk(root)
    );
    if (!widgets.length) return;
    const first = widgets[0];
    document.addEventListener("keydown", (event) => {
      if (event.code !== "Space" || event.repeat || isTyping(event.target)) return;
      event.preventDefault();
      first.press();
    });
    document.addEventListener("keyup", (event) => {
      if (event.code !== "Space" || isTyping(event.target)) return;
      event.preventDefault();
      first.release();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
