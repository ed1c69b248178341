/* Station sounds, made with the WebAudio API (no audio files to ship or cache).
 *
 * A packer hears the verdict before looking up, so each outcome has its own shape,
 * not just its own pitch:
 *   accepted  one short high beep                       (a good scan, an order opened)
 *   rejected  two low square buzzes                     (wrong item, too many, unknown code)
 *   mismatch  three falling sawtooth notes, twice        (the weight does not match)
 *   pass      a rising two-note chime                   (weight OK, label on its way)
 *   stop      a long low siren, up and down twice       (the stop screen: put it right first)
 * Every sound played is also appended to window.wmsSoundLog, which the browser tests read.
 */
window.WmsSound = (function () {
  "use strict";
  var ctx = null;
  var log = (window.wmsSoundLog = []);

  function audio() {
    var Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return null;
    if (!ctx) ctx = new Ctor();
    if (ctx.state === "suspended") ctx.resume();
    return ctx;
  }

  function tone(c, freq, start, dur, type, peak) {
    var t0 = c.currentTime + start;
    var osc = c.createOscillator();
    var gain = c.createGain();
    osc.type = type || "sine";
    osc.frequency.setValueAtTime(freq, t0);
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(peak || 0.3, t0 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + dur);
    osc.connect(gain);
    gain.connect(c.destination);
    osc.start(t0);
    osc.stop(t0 + dur + 0.03);
  }

  var SOUNDS = {
    accepted: function (c) { tone(c, 1760, 0, 0.09, "sine", 0.3); },
    rejected: function (c) {
      tone(c, 170, 0, 0.2, "square", 0.22);
      tone(c, 170, 0.27, 0.2, "square", 0.22);
    },
    mismatch: function (c) {
      [0, 0.75].forEach(function (offset) {
        [880, 659, 440].forEach(function (f, i) { tone(c, f, offset + i * 0.2, 0.18, "sawtooth", 0.2); });
      });
    },
    stop: function (c) {
      [0, 0.5].forEach(function (offset) {
        tone(c, 300, offset, 0.22, "square", 0.25);
        tone(c, 220, offset + 0.23, 0.22, "square", 0.25);
      });
    },
    pass: function (c) {
      tone(c, 988, 0, 0.12, "triangle", 0.35);
      tone(c, 1319, 0.13, 0.25, "triangle", 0.35);
    }
  };

  function play(name) {
    log.push(name);
    var c = audio();
    if (!c || !SOUNDS[name]) return;
    try { SOUNDS[name](c); } catch (e) { /* a sound must never break scanning */ }
  }

  return { play: play, names: Object.keys(SOUNDS) };
})();
