/* Telling a keyboard-wedge scan from a person typing, at the pack station.
 *
 * A wedge scanner "types" the whole code as one burst of key presses a few milliseconds
 * apart and ends it with Enter. A person typing is far slower (100-300 ms between keys).
 * So an entry counts as a scan when
 *   - it has at least MIN_CHARS characters, each one typed as a key press (no paste, no
 *     Backspace/Delete editing), and
 *   - at least FAST_SHARE (80 %) of the gaps between consecutive key presses, the gap from
 *     the last one to the Enter included, are at most MAX_GAP_MS (50 ms; scanners manage
 *     1-15 ms), and no gap is longer than PAUSE_MS (a one-second pause is a person).
 * The 20 % allowance absorbs a busy PC delivering a key or two late; a person does not
 * type 80 % of a code's keys within 50 ms of each other.
 * Anything else (slow typing + Enter, a pasted code, an edited entry) is still accepted,
 * as a manual entry: sent the same way, marked "manual" in the scan log on screen and
 * sent as `source: "manual"` with the event. The times are the key events' own
 * timestamps (event.timeStamp), not when the page got round to handling them.
 */
window.WmsScanRule = (function () {
  "use strict";
  var MAX_GAP_MS = 50, FAST_SHARE = 0.8, PAUSE_MS = 1000, MIN_CHARS = 4;

  /** Milliseconds between consecutive key presses, and from the last one to the Enter. */
  function gaps(times, enterAt) {
    var all = times.concat([enterAt]), out = [];
    for (var i = 1; i < all.length; i++) out.push(Math.round(all[i] - all[i - 1]));
    return out;
  }

  /** "scanner" or "manual" for an entry of `length` characters whose key presses came at
   *  `times` (one per character) and whose Enter came at `enterAt`. */
  function source(times, enterAt, length, edited) {
    if (edited || times.length < MIN_CHARS || times.length !== length) return "manual";
    var g = gaps(times, enterAt);
    var fast = g.filter(function (x) { return x <= MAX_GAP_MS; }).length;
    var paused = g.some(function (x) { return x > PAUSE_MS; });
    return !paused && fast >= FAST_SHARE * g.length ? "scanner" : "manual";
  }

  return { gaps: gaps, source: source, MAX_GAP_MS: MAX_GAP_MS, FAST_SHARE: FAST_SHARE,
           PAUSE_MS: PAUSE_MS, MIN_CHARS: MIN_CHARS };
})();
