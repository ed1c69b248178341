/* The pack station page: a keyboard-wedge scanner drives it, the focus stays in the scan box.
 *
 * How a scan is told from typing: see scanrule.js (loaded before this file).
 *
 * WHERE THINGS GO
 * Scans and weights are posted to POST /api/stations/{code}/events, the path station
 * agents use: an order number or tote opens that order's session at this bench, an item
 * code is scanned into the bench's open session, a weight is judged against it. Each
 * event carries an id made here, so a request retried after a network error is answered,
 * never counted twice. The screen itself is drawn from GET /station/state, polled every
 * POLL_MS, so scans and weights that a station agent sends show up here too.
 *
 * DOUBLE READS
 * A scan carries the time its Enter key arrived (scanned_at, the device's own timing) and
 * whether it was a scanner burst (source). The service refuses the same code from the
 * scanner again within 300 ms as 409 double_read and counts nothing; the page says so and
 * keeps that scan pending: Enter on the empty scan box, the + key (empty box) or the
 * "second unit" button sends it again with confirm_repeat, which counts it.
 */
(function () {
  "use strict";

  var POLL_MS = 1500;
  var MAX_GRAMS_DIGITS = 6; // a weight box entry longer than this (or not all digits) is a scan

  var app = document.getElementById("station-app");
  var STATION = app.dataset.station;
  var SUPERVISOR = app.dataset.supervisor === "1";
  var $ = function (id) { return document.getElementById(id); };
  var scanBox = $("scan");
  var gramsBox = $("grams");

  var state = null;          // the last /station/state answer
  var labelShown = null;     // tracking number whose preview is on screen
  var gramsTouched = false;  // the packer typed a weight: the live reading must not overwrite it
  var seq = 0;               // events sent; polls started before the last one are ignored
  var queue = Promise.resolve();
  var lastWeighingId;        // the newest weighing shown (undefined until the first draw)
  var mineWeighings = {};    // weighing ids this page sent, so they are not announced twice
  var pendingRepeat = null;  // the scan last refused as a double read, until confirmed or another scan
  var lastScannedSku = null; // its line is scrolled into sight in a long order
  var sessionShown = null;   // the session on screen: a new one clears the last parcel's weight
  var stopped = null;        // a wrong item, an extra unit or a refused weighing: nothing goes on until cleared
  var CLEAR_CODE = "CLEAR";  // scanning this (a card at the bench), or Esc, clears the stop screen
  var BADGE_PREFIX = "WMSB"; // a person's badge (wms user badge), never sent as an item scan
  var pendingBadge = null;   // a supervisor's badge scanned to override the mismatch on screen

  try { localStorage.setItem("wms.station", STATION); } catch (e) { /* private mode */ }

  // ------------------------------------------------------------ scan or typing?
  function KeyBurst() { this.times = []; this.edited = false; }
  KeyBurst.prototype.reset = function () { this.times = []; this.edited = false; };
  KeyBurst.prototype.key = function (e, box) {
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      if (box.value === "" || box.selectionStart === 0 && box.selectionEnd === box.value.length) this.reset();
      this.times.push(e.timeStamp);
    } else if (e.key === "Backspace" || e.key === "Delete") {
      this.edited = true;
    }
  };
  KeyBurst.prototype.gaps = function (enterAt) { return WmsScanRule.gaps(this.times, enterAt); };
  KeyBurst.prototype.source = function (enterAt, value) {
    return WmsScanRule.source(this.times, enterAt, value.length, this.edited);
  };

  var scanKeys = new KeyBurst();
  var gramsKeys = new KeyBurst();
  window.wmsScanLog = []; // {code, source, outcome}: what the page decided, for the tests

  // The moment a key event happened, as an ISO time: the read's own time, not the send's.
  function eventTime(e) {
    var origin = performance.timeOrigin || (Date.now() - performance.now());
    return new Date(origin + e.timeStamp).toISOString();
  }

  scanBox.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      var raw = scanBox.value;
      var how = scanKeys.source(e.timeStamp, raw);
      window.wmsLastGaps = scanKeys.gaps(e.timeStamp);
      scanKeys.reset();
      scanBox.value = "";
      if (isBadge(raw)) { badgeScanned(raw.trim()); return; }
      if (stopped) {  // the error screen holds every scan until it is cleared
        if (raw.trim().toUpperCase() === CLEAR_CODE) clearStop();
        else {
          WmsSound.play("stop");
          window.wmsScanLog.push({ code: raw.trim(), source: how, outcome: "held", gaps: window.wmsLastGaps });
        }
        return;
      }
      if (raw.trim()) {
        var at = eventTime(e);
        submit(function () { return sendScan(raw.trim(), how, at); });
      }
      // A stray Enter on the empty box confirms nothing: only + (or the button) counts a second unit.
      return;
    }
    if (e.key === "+" && scanBox.value === "" && pendingRepeat) {
      e.preventDefault();
      confirmRepeat();
      return;
    }
    scanKeys.key(e, scanBox);
  });
  scanBox.addEventListener("paste", function () { scanKeys.edited = true; });

  gramsBox.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      var raw = gramsBox.value.trim();
      var how = gramsKeys.source(e.timeStamp, gramsBox.value);
      gramsKeys.reset();
      if (!raw) return;
      if (!/^\d+$/.test(raw) || raw.length > MAX_GRAMS_DIGITS) {
        // A code scanned while the weight box had the focus: it is a scan, not a weight.
        gramsBox.value = "";
        gramsTouched = false;
        scanBox.focus();
        if (isBadge(raw)) { badgeScanned(raw); return; }
        var at = eventTime(e);
        submit(function () { return sendScan(raw, how, at); });
        return;
      }
      submitWeight(parseInt(raw, 10));
      return;
    }
    if (e.key === "+" && gramsBox.value === "" && pendingRepeat) {
      e.preventDefault();
      backToScan();
      confirmRepeat();
      return;
    }
    gramsKeys.key(e, gramsBox);
    gramsTouched = true;
  });
  $("weigh-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var raw = gramsBox.value.trim();
    if (/^\d+$/.test(raw) && raw.length <= MAX_GRAMS_DIGITS) submitWeight(parseInt(raw, 10));
    else { feedback("bad", "Type the weight in grams. 请输入重量 (克)。"); gramsBox.focus(); }
  });

  // ------------------------------------------------------------ keep the focus in the scan box
  function isField(el) { return el && el.matches && el.matches("input, select, textarea"); }
  document.addEventListener("keydown", function (e) {
    // A scanner burst that starts while nothing editable has the focus goes to the scan box.
    if (isField(document.activeElement)) return;
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      scanBox.focus();
      scanKeys.reset();
      scanKeys.times.push(e.timeStamp); // the box did not see this key's keydown
    }
  }, true);
  document.addEventListener("click", function (e) {
    if (!e.target.closest("input, select, textarea, button, a, label")) scanBox.focus();
  });
  window.addEventListener("focus", function () { if (!isField(document.activeElement)) scanBox.focus(); });
  function backToScan() { gramsTouched = false; scanBox.focus(); }

  // ------------------------------------------------------------ talking to the service
  function eventId() {
    return STATION + "-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  function call(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": document.querySelector("meta[name=csrf-token]").content } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    var attempt = function (n) {
      return fetch(url, opts).then(function (r) {
        if (r.status === 401) {
          location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
        }
        return r.json().catch(function () { return {}; }).then(function (data) {
          return { ok: r.ok, status: r.status, data: data };
        });
      }, function (err) {
        // Same event id again: the service answers a repeat without counting it twice.
        if (n < 2) return new Promise(function (res) { setTimeout(res, 700); }).then(function () { return attempt(n + 1); });
        return { ok: false, status: 0, data: { error: "network", message: "the service cannot be reached: " + err } };
      });
    };
    return attempt(1);
  }

  var busy = 0; // actions queued or running; polls wait until they are done
  function submit(job) {
    seq += 1;
    busy += 1;
    queue = queue.then(job).catch(function (err) { feedback("bad", "Page error: " + err); })
                 .then(function () { busy -= 1; });
    return queue;
  }

  var TITLES = {
    wrong_item: "Wrong item 非本单商品", over_scan: "Too many 数量已够", unknown_code: "Unknown code 未知条码",
    no_open_session: "No order open 请先扫订单", order_on_hold: "Order on hold 订单挂起",
    already_packed: "Already packed 已打包", order_cancelled: "Cancelled — do not pack 订单已取消",
    order_not_ready: "Not ready to pack 未到打包环节", session_closed: "Parcel finished 本单已完成",
    unstable_reading: "Scale moving 秤不稳定", unknown_order: "Unknown order 未知订单",
    notes_unacknowledged: "Read the note first 请先阅读并确认留言 (F2)",
    nothing_scanned: "Nothing in this parcel yet 本箱还没有商品",
    typed_weight_forbidden: "Use the scale 请用电子秤称重 — typed weights are off here",
    bad_badge: "Badge not known 工牌无效", badge_not_allowed: "Not a supervisor's badge 非主管工牌",
    login_locked: "Too many wrong badges 工牌错误次数过多",
    network: "No connection 网络故障", forbidden: "Not allowed 无权限", validation_error: "Not accepted 输入无效"
  };
  function problem(data) {
    var t = TITLES[data.error] || data.error || "Rejected 拒绝";
    return "✗ " + t + (data.message ? " — " + data.message : "");
  }

  function lineFor(sku) {
    var s = state && state.session;
    if (!s) return null;
    for (var i = 0; i < s.lines.length; i++) if (s.lines[i].sku === sku) return s.lines[i];
    return null;
  }

  function confirmRepeat() {
    var body = pendingRepeat;
    pendingRepeat = null;
    showRepeatButton(false);
    if (!body) return;
    submit(function () { return sendScan(body.code, body.source, body.scanned_at, body.event_id); });
  }

  function showRepeatButton(on) {
    var btn = $("repeat-confirm");
    if (!btn) {
      btn = document.createElement("button");
      btn.id = "repeat-confirm";
      btn.type = "button";
      btn.className = "primary repeat-confirm";
      btn.textContent = "+ Yes, a second unit (+) 是第二件";
      btn.addEventListener("click", function () { confirmRepeat(); scanBox.focus(); });
      $("feedback").insertAdjacentElement("afterend", btn);
    }
    btn.hidden = !on;
  }

  function sendScan(code, how, at, confirmOf) {
    var url = "/api/stations/" + encodeURIComponent(STATION) + "/events";
    var body = { event_id: confirmOf || eventId(), kind: "scan", code: code, source: how };
    if (at) body.scanned_at = at;
    if (confirmOf) body.confirm_repeat = true;
    if (!confirmOf && pendingRepeat) { pendingRepeat = null; showRepeatButton(false); }
    return call("POST", url, body).then(function (r) {
      var outcome;
      if (!r.ok && r.data.error === "double_read") {
        outcome = "double_read";
        WmsSound.play("rejected");
        backToScan(); // the confirming key goes to the scan box
        if (r.data.offer_repeat) {
          pendingRepeat = body;
          showRepeatButton(true);
          feedback("warn", "⚠ Read twice — this read was not counted 重复读取, 本次未计数: " + code +
                   ". A second unit? Press + to count it. 若是第二件, 按 + 键确认。");
        } else {
          feedback("warn", "⚠ Read twice — not counted, and this item needs no more units. " +
                   "重复读取, 未计数; 该商品已够数。");
        }
      } else if (r.ok) {
        var action = r.data.action, res = r.data.result || {};
        if (action === "opened") {
          outcome = "opened";
          WmsSound.play("accepted");
          feedback("ok", "Order " + res.order_no + " opened — scan its items. 订单已打开, 请扫描商品。");
        } else if (action === "packaging") {
          outcome = "packaging";
          WmsSound.play("accepted");
          feedback("ok", "✓ Box 包材 " + res.packaging + " (" + res.packaging_name + ", " + res.packaging_weight_g +
                   " g) — it counts in the expected weight. 已确认箱型。");
        } else {
          outcome = "accepted";
          WmsSound.play("accepted");
          lastScannedSku = res.sku;
          var line = lineFor(res.sku);
          var qty = line ? line.qty : "?";
          var text = "✓ " + (res.name || res.sku) + "  " + res.scanned + " / " + qty;
          text += res.complete ? " — all scanned: weigh the parcel. 已扫完, 请称重。"
                               : " · " + res.remaining + " to go 还差 " + res.remaining + " 件";
          feedback("ok", text);
          if (res.complete && !(state && state.scale)) { gramsBox.focus(); }
        }
      } else {
        outcome = r.data.error || "error";
        if (STOPPING[outcome]) stop(problem(r.data), STOPPING[outcome]);
        else WmsSound.play("rejected");
        feedback("bad", problem(r.data));
      }
      logScan(code, how, outcome, !!confirmOf);
      return refresh(true);
    });
  }

  function submitWeight(grams) {
    if (stopped) { WmsSound.play("stop"); gramsBox.value = ""; backToScan(); return Promise.resolve(); }
    return submit(function () {
      var url = "/api/stations/" + encodeURIComponent(STATION) + "/events";
      return call("POST", url, { event_id: eventId(), kind: "weight", grams: grams, stable: true }).then(function (r) {
        gramsBox.value = "";
        backToScan();
        if (!r.ok) {  // refused: the weighing did not count, and the packer must see why
          stop(problem(r.data), r.data.error === "notes_unacknowledged"
               ? "Read the note, then press F2 to confirm it. 请阅读留言后按 F2 确认。"
               : "The weighing was refused and did not count. 称重被拒绝, 未计入。", r.data.error);
          feedback("bad", problem(r.data));
          return refresh(true);
        }
        var w = r.data.result || {};
        if (w.weighing_id) mineWeighings[w.weighing_id] = true;
        var fee = w.freight_estimate ? " · " + (w.carrier || "") + " freight 运费 ≈ ¥" + w.freight_estimate : "";
        if (w.verdict === "pass" && w.tracking_no && w.next_session_id) {
          WmsSound.play("pass");
          feedback("ok", "✓ Weight OK — label " + w.tracking_no + " is printing" + fee + ". Next parcel opened: " +
                   "scan the rest. 重量正确, 面单打印中; 下一箱已打开, 请扫描剩余商品。");
        } else if (w.verdict === "pass" && w.tracking_no) {
          WmsSound.play("pass");
          feedback("ok", "✓ Weight OK — label " + w.tracking_no + " is printing" + fee + ". 重量正确, 正在打印面单。");
        } else if (w.verdict === "pass") {
          WmsSound.play("rejected");
          feedback("bad", "✗ " + (w.message || "scan every item, then weigh again") + " 请扫完所有商品再称重。");
        } else {
          WmsSound.play("mismatch");
          stop("✗ Weight mismatch 重量不符 — " + (w.explanation || "check the parcel"),
               MISMATCH_TODO);
          feedback("bad", "✗ Weight mismatch 重量不符 — " + (w.explanation || "check the parcel"));
        }
        return refresh(true);
      });
    });
  }

  // ------------------------------------------------------------ the stop screen
  // What must be put right before the next scan: the red screen stays, every scan is held
  // (and buzzes) until the packer clears it with Esc or the CLEAR card.
  var STOPPING = {
    wrong_item: "Take the wrong item out of the parcel. 请把非本单商品取出。",
    over_scan: "Take the extra unit out of the parcel. 请把多出的商品取出。"
  };
  var MISMATCH_TODO = "Check the parcel against the order, then weigh again. 请核对包裹后重新称重。" +
    (SUPERVISOR ? "" : " A supervisor may scan their badge to ship it anyway. 或由主管扫工牌放行。");
  function stop(text, todo, code) {
    stopped = { text: text, todo: todo, code: code };
    WmsSound.play("stop");
    $("stop-text").textContent = text;
    $("stop-todo").textContent = todo || "";
    $("stop-overlay").hidden = false;
    backToScan();
  }
  function clearStop() {
    if (!stopped) return;
    stopped = null;
    $("stop-overlay").hidden = true;
    feedback("info", "Cleared — carry on scanning. 已清除, 请继续扫描。");
    backToScan();
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && stopped) { e.preventDefault(); clearStop(); }
  });
  $("stop-clear").addEventListener("click", clearStop);

  // ------------------------------------------------------------ a supervisor's badge
  // At a mismatch a supervisor scans their badge here and types the reason: the override goes
  // out under the supervisor's name and the packer stays signed in. Esc in the reason box
  // (or another parcel) forgets the badge.
  function isBadge(raw) { return raw.trim().toUpperCase().indexOf(BADGE_PREFIX) === 0; }
  function overridable(s) {
    var sess = s && s.session, w = s && s.weighing;
    return !!(sess && sess.status === "open" && sess.complete && w && !s.override &&
              (w.verdict === "underweight" || w.verdict === "overweight"));
  }
  function badgeScanned(code) {
    window.wmsScanLog.push({ code: BADGE_PREFIX + "…", source: "badge", outcome: "badge" });
    if (!overridable(state)) {
      WmsSound.play("rejected");
      feedback("bad", "A badge here only overrides a weight mismatch once every item is scanned. " +
                      "工牌仅用于全部扫完且重量不符时主管放行。");
      return;
    }
    pendingBadge = { code: code, session: state.session.session_id };
    if (stopped) { stopped = null; $("stop-overlay").hidden = true; }
    WmsSound.play("accepted");
    drawVerdict(state);
    feedback("info", "Supervisor badge scanned: type the reason and press Enter to ship anyway (Esc cancels). " +
                     "已扫主管工牌: 输入放行原因后回车 (Esc 取消)。");
    $("override-reason").focus();
  }
  function forgetBadge() {
    pendingBadge = null;
    if (state) drawVerdict(state);
  }
  $("override-reason").addEventListener("keydown", function (e) {
    if (e.key === "Escape" && pendingBadge) {
      e.preventDefault();
      e.stopPropagation();
      $("override-reason").value = "";
      forgetBadge();
      feedback("info", "Override cancelled. 已取消放行。");
      backToScan();
    }
  });

  // ------------------------------------------------------------ drawing the screen
  function feedback(kind, text) {
    var el = $("feedback");
    el.className = "feedback " + kind;
    el.textContent = text;
  }

  function logScan(code, how, outcome, confirmed) {
    window.wmsScanLog.push({ code: code, source: how, outcome: outcome, gaps: window.wmsLastGaps,
                             confirmed: !!confirmed });
    var li = document.createElement("li");
    li.className = "scan-" + (/^(accepted|opened)/.test(outcome) ? "ok" : outcome === "double_read" ? "warn" : "bad");
    var time = new Date().toLocaleTimeString("zh-CN", { hour12: false });
    li.innerHTML = "<span class='t'></span> <code></code> <span class='src'></span> <span class='o'></span>";
    li.querySelector(".t").textContent = time;
    li.querySelector("code").textContent = code;
    li.querySelector(".src").textContent = how === "scanner" ? "scanner 扫码枪" : "manual 手动";
    li.querySelector(".src").classList.add(how);
    li.querySelector(".o").textContent = confirmed ? outcome + " (second unit confirmed 已确认)" : outcome;
    var log = $("scan-log");
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 6) log.removeChild(log.lastChild);
  }

  var VERDICT_WORDS = { pass: "PASS 合格", underweight: "UNDERWEIGHT 偏轻", overweight: "OVERWEIGHT 偏重",
                        unstable: "UNSTABLE 不稳定" };

  // A weighing this page did not send (the station agent's scale did): sound and say it too.
  function announceWeighing(w) {
    var id = w ? w.weighing_id : null;
    if (id === lastWeighingId) return;
    var first = lastWeighingId === undefined;
    lastWeighingId = id;
    if (first || !w || mineWeighings[id]) return;
    if (w.verdict === "pass" && w.tracking_no) {
      WmsSound.play("pass");
      feedback("ok", "✓ Scale: " + w.grams + " g — weight OK, label " + w.tracking_no + " is printing. 重量正确。");
    } else if (w.verdict === "underweight" || w.verdict === "overweight") {
      WmsSound.play("mismatch");
      stop("✗ Scale: " + w.grams + " g — weight mismatch 重量不符 — " + (w.explanation || ""), MISMATCH_TODO);
      feedback("bad", "✗ Scale: " + w.grams + " g — weight mismatch 重量不符 — " + (w.explanation || ""));
    }
  }

  function draw(s) {
    state = s;
    var sid = s.session ? s.session.session_id : null;
    if (sid !== sessionShown) {  // another parcel: the last one's weight must not carry over
      if (sessionShown !== null && !gramsTouched) gramsBox.value = "";
      sessionShown = sid;
    }
    announceWeighing(s.weighing);
    drawScale(s.scale, s.session && s.session.status === "open" ? s.session : null);
    $("my-count").textContent = s.mine ? "my parcels today 我今天 " + s.mine.parcels + " 件包裹" : "—";
    drawSession(s.session);
    drawVerdict(s);
    drawLabel(s.label);
  }

  function drawScale(scale, sess) {
    var el = $("scale-live");
    if (scale && scale.stale) {  // the agent is up but its scale said nothing lately: old, and said so
      el.className = "scale stale";
      el.textContent = "scale 秤 " + scale.grams + " g — stale, " + Math.round(scale.age_s) + " s old 读数已过期";
    } else if (scale) {
      el.className = "scale " + (scale.stable ? "stable" : "moving");
      el.textContent = "scale 秤 " + scale.grams + " g " + (scale.stable ? "● stable 稳定" : "~ moving 波动");
      // An empty scale (0 g) leaves the box alone; a parcel's stable reading fills it, but only
      // one taken since this parcel was opened: never the previous parcel's weight.
      var fresh = !sess || !sess.opened_at || new Date(scale.at) >= new Date(sess.opened_at);
      if (scale.stable && scale.grams > 0 && fresh && !gramsTouched && document.activeElement !== gramsBox) {
        gramsBox.value = scale.grams;
      }
    } else {
      el.className = "scale off";
      el.textContent = "no live scale reading: type the weight 无秤读数, 请手动输入";
    }
  }

  function drawSession(sess) {
    var head = $("order-head");
    var body = document.querySelector("#lines tbody");
    body.textContent = "";
    if (!sess) { head.hidden = true; return; }
    head.hidden = false;
    $("order-no").textContent = sess.order_no;
    $("order-status").textContent = sess.status;
    $("order-status").className = "chip " + sess.status;
    var r = sess.recipient || {};
    $("recipient").textContent = [r.name, r.phone, (r.province || "") + (r.city || "") + (r.district || "")].join(" ");
    // The box counts in the expected weight: shown large, confirmed or changed by scanning a box's code.
    $("packaging").textContent = sess.packaging ? "BOX 箱 " + sess.packaging + (sess.packaging_name ? " · " + sess.packaging_name : "") +
                                                  " — scan a box code to change 扫箱码可更换" : "no box 无包材";
    $("packaging").className = "packaging-chip" + (sess.packaging ? "" : " none");
    var several = sess.partial || sess.parcel_no > 1;
    $("parcel-no").hidden = !several;
    $("parcel-no").textContent = "parcel 第 " + sess.parcel_no + " 箱" + (sess.partial ? " · closed 已封箱" : "");
    var anyScanned = sess.lines.some(function (l) { return l.scanned > 0; });
    $("close-parcel").hidden = !(sess.status === "open" && !sess.partial && !sess.complete && anyScanned);
    drawNotes(sess);
    sess.lines.forEach(function (line) {
      var tr = document.createElement("tr");
      tr.dataset.sku = line.sku;
      tr.className = line.scanned >= line.qty ? "done" : line.scanned > 0 ? "partial" : "todo";
      tr.innerHTML = "<td class='name'></td><td class='sku'></td><td class='num count'></td>";
      var nameCell = tr.querySelector(".name");
      if (line.image_url) {  // the product's picture, when the SKU has one: the packer sees what to pick up
        var pic = document.createElement("img");
        pic.className = "line-pic";
        pic.alt = "";
        pic.loading = "lazy";
        pic.src = line.image_url;
        pic.onerror = function () { this.remove(); };
        nameCell.appendChild(pic);
      }
      nameCell.appendChild(document.createTextNode(line.name));
      if (line.gift_qty) {  // 赠品: put in, scanned and weighed like the rest, never forgotten
        var gift = document.createElement("span");
        gift.className = "gift-badge";
        gift.textContent = "赠品 gift ×" + line.gift_qty;
        tr.querySelector(".name").appendChild(gift);
        tr.classList.add("gift");
      }
      tr.querySelector(".sku").textContent = line.sku;
      if (line.barcode) {  // the printed code, to compare with the item's label (not to scan off the screen)
        var code = document.createElement("div");
        code.className = "line-barcode";
        code.textContent = line.barcode;
        tr.querySelector(".sku").appendChild(code);
      }
      tr.querySelector(".count").textContent = line.scanned + " / " + line.qty + (line.scanned >= line.qty ? " ✓" : "");
      body.appendChild(tr);
    });
    var last = lastScannedSku && body.querySelector("tr[data-sku='" + CSS.escape(lastScannedSku) + "']");
    if (last) last.scrollIntoView({ block: "nearest" });
    countHidden();
  }

  // A long order scrolls: say how many lines are out of sight, and which way.
  function countHidden() {
    var wrap = $("lines-wrap"), more = $("lines-more");
    var view = wrap.getBoundingClientRect(), below = 0, above = 0, todo = 0;
    wrap.querySelectorAll("tbody tr").forEach(function (tr) {
      var r = tr.getBoundingClientRect();
      if (r.top >= view.bottom - 2) { below += 1; if (!tr.classList.contains("done")) todo += 1; }
      else if (r.bottom <= view.top + 2 + wrap.querySelector("thead").offsetHeight) above += 1;
    });
    more.hidden = !(below || above);
    more.textContent = (below ? "▼ " + below + " more below 下方还有 " + below + " 行" +
                        (todo ? " (" + todo + " to scan 待扫)" : "") : "") +
                       (below && above ? " · " : "") + (above ? "▲ " + above + " above 上方 " + above + " 行" : "");
  }
  $("lines-wrap").addEventListener("scroll", countHidden);
  window.addEventListener("resize", countHidden);

  var FLAGS = { red: "红旗", yellow: "黄旗", green: "绿旗", blue: "蓝旗", purple: "紫旗" };
  function drawNotes(sess) {
    var box = $("order-notes"), list = $("notes-list"), notes = sess && sess.notes;
    list.textContent = "";
    if (!notes || !notes.items.length) { box.hidden = true; return; }
    box.hidden = false;
    box.className = "order-notes" + (notes.needs_ack && !notes.acknowledged_at ? " unacked" : "");
    notes.items.forEach(function (n) {
      if (n.buyer_message) {
        var li = document.createElement("li");
        li.className = "buyer-message";
        li.textContent = "买家留言 buyer: " + n.buyer_message;
        list.appendChild(li);
      }
      if (n.warehouse_note) {
        var w = document.createElement("li");
        w.className = "note-warehouse";
        w.textContent = "客服备注 for the warehouse: " + n.warehouse_note;
        list.appendChild(w);
      }
      if (n.seller_memo) {
        var m = document.createElement("li");
        m.className = "seller-memo flag-" + (n.seller_flag || "none");
        m.textContent = "卖家备注 seller" + (n.seller_flag ? " [" + (FLAGS[n.seller_flag] || n.seller_flag) + "]" : "") + ": " + n.seller_memo;
        list.appendChild(m);
      }
    });
    var waiting = notes.needs_ack && !notes.acknowledged_at;
    $("ack-notes").hidden = !waiting;
    $("notes-acked").hidden = !notes.acknowledged_at;
    $("notes-acked").textContent = notes.acknowledged_at ? "✓ read by 已阅 " + notes.acknowledged_by : "";
  }
  function acknowledgeNotes() {
    var sess = state && state.session;
    if (!sess || !sess.notes || !sess.notes.needs_ack || sess.notes.acknowledged_at) return;
    submit(function () {
      return call("POST", "/api/pack/sessions/" + sess.session_id + "/notes/ack").then(function (r) {
        if (r.ok) {
          if (stopped && stopped.code === "notes_unacknowledged") clearStop();  // what stopped it is done
          feedback("ok", "✓ Note confirmed — weigh when ready. 留言已确认。");
        }
        else feedback("bad", problem(r.data));
        backToScan();
        return refresh(true);
      });
    });
  }
  $("ack-notes").addEventListener("click", acknowledgeNotes);

  // 一单多包: the box is full; what is scanned goes in this parcel, the rest in the next one.
  function closeParcel() {
    var sess = state && state.session;
    if (!sess || sess.status !== "open" || sess.partial) return;
    submit(function () {
      return call("POST", "/api/pack/sessions/" + sess.session_id + "/close-parcel").then(function (r) {
        if (r.ok) feedback("ok", "✓ Parcel closed with what is scanned — weigh it; the rest goes in the next " +
                           "parcel. 已封箱, 请称重, 剩余商品装下一箱。");
        else { WmsSound.play("rejected"); feedback("bad", problem(r.data)); }
        backToScan();
        return refresh(true);
      });
    });
  }
  $("close-parcel").addEventListener("click", closeParcel);
  document.addEventListener("keydown", function (e) {
    if (e.key === "F2") { e.preventDefault(); acknowledgeNotes(); }
    if (e.key === "F4") { e.preventDefault(); closeParcel(); }
  });

  function signed(n) { return (n > 0 ? "+" : n < 0 ? "−" : "±") + Math.abs(n); }

  function drawVerdict(s) {
    var box = $("verdict"), word = $("verdict-word"), nums = $("verdict-numbers"), list = $("suspects");
    list.textContent = "";
    var w = s.weighing, sess = s.session;
    if (pendingBadge && !(overridable(s) && sess.session_id === pendingBadge.session)) pendingBadge = null;
    var canOverride = overridable(s);
    $("override-form").hidden = !(canOverride && (SUPERVISOR || pendingBadge));
    $("override-who").textContent = pendingBadge ? "Supervisor badge scanned 主管工牌已扫 — " : "";
    $("badge-hint").hidden = !(canOverride && !SUPERVISOR && !pendingBadge);
    if (!sess || !w) {
      box.className = "verdict idle";
      word.textContent = "—";
      nums.textContent = sess ? "Weigh the parcel once every item is scanned. 全部扫完后称重。"
                              : "Scan an order to start. 请扫描订单。";
      return;
    }
    var ok = w.verdict === "pass";
    box.className = "verdict " + (s.override ? "overridden" : ok ? (w.tracking_no ? "pass" : "blocked") : "fail");
    word.textContent = s.override ? "OVERRIDDEN 主管放行" : (VERDICT_WORDS[w.verdict] || w.verdict);
    nums.innerHTML = "measured 实重 <b class='measured'></b> · expected 应重 <b class='expected'></b> · Δ <b class='delta'></b>";
    nums.querySelector(".measured").textContent = w.grams + " g";
    nums.querySelector(".expected").textContent = w.expected_g + " ± " + w.tolerance_g + " g";
    nums.querySelector(".delta").textContent = signed(w.delta_g) + " g";
    if (w.typed) {  // no scale named this weight: a person typed it, and it says so everywhere
      var mark = document.createElement("span");
      mark.className = "typed-mark";
      mark.textContent = "手输 typed";
      nums.appendChild(document.createTextNode(" "));
      nums.appendChild(mark);
    }
    (w.suspects || []).forEach(function (sp) {
      var li = document.createElement("li");
      li.className = "suspect " + sp.direction;
      li.textContent = (sp.direction === "missing" ? "missing 缺 " : "extra 多 ") + sp.qty + " × " + sp.name +
        " (" + sp.sku + ", ≈" + sp.weight_g + " g)";
      list.appendChild(li);
    });
    if (ok && !w.tracking_no && sess.status === "open") {
      var li = document.createElement("li");
      li.textContent = "Weight matches but not every item was scanned: scan the rest, then weigh again. 请扫完所有商品再称重。";
      list.appendChild(li);
    }
    if (s.override) {
      var o = document.createElement("li");
      o.textContent = "by 主管 " + s.override.by + ": " + s.override.reason;
      list.appendChild(o);
    }
  }

  var PRINT_WORDS = { queued: "queued 排队中", sending: "sending 发送中", printed: "printed 已打印",
                      failed: "failed 打印失败" };

  var labelFailed = null;  // the label whose failure was announced (once, not at every poll)
  function drawLabel(label) {
    var panel = $("label");
    if (!label) { panel.hidden = true; labelShown = null; return; }
    if (label.status === "failed" && labelFailed !== label.tracking_no + "#" + label.job_id) {
      labelFailed = label.tracking_no + "#" + label.job_id;
      WmsSound.play("rejected");
      feedback("bad", "✗ Label " + label.tracking_no + " did not print" + (label.last_error ? ": " + label.last_error : "") +
                      ". Fix the printer, then reprint. 面单打印失败, 请处理打印机后补打。");
    }
    panel.hidden = false;
    $("tracking-no").textContent = label.tracking_no;
    var st = $("print-status");
    st.className = "print-status " + label.status.replace(/\s+/g, "-");
    st.textContent = (label.printer ? label.printer + ": " : "") + (PRINT_WORDS[label.status] || label.status) +
      (label.reprints ? " · reprinted " + label.reprints + "× 补打" : "") +
      (label.last_error ? " — " + label.last_error : "");
    if (labelShown !== label.tracking_no) {
      $("label-img").src = "/station/label/" + encodeURIComponent(label.tracking_no) + ".png";
      labelShown = label.tracking_no;
    }
  }

  function refresh(mine) {
    if (!mine && busy) return Promise.resolve();
    var started = seq;
    var url = "/station/state?station=" + encodeURIComponent(STATION);
    return call("GET", url).then(function (r) {
      if (!r.ok) return;
      if (!mine && started !== seq) return; // an action ran meanwhile; its own refresh is newer
      draw(r.data);
    });
  }

  // ------------------------------------------------------------ supervisor actions
  var overrideForm = $("override-form");
  if (overrideForm) {
    overrideForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var reason = $("override-reason").value.trim();
      var sid = state && state.session && state.session.session_id;
      if (!sid) return;
      var badge = pendingBadge && pendingBadge.session === sid ? pendingBadge.code : null;
      pendingBadge = null;  // one badge scan, one override: a second needs the badge again
      var url = "/api/pack/sessions/" + sid + (badge ? "/badge-override" : "/override");
      submit(function () {
        return call("POST", url, badge ? { reason: reason, badge: badge } : { reason: reason }).then(function (r) {
          if (r.ok) {
            WmsSound.play("pass");
            feedback("ok", "Shipped by override of " + r.data.override_by + " — label " + r.data.tracking_no +
                           " is printing. 主管放行。");
            $("override-reason").value = "";
          } else {
            WmsSound.play("rejected");
            feedback("bad", problem(r.data));
            if (badge) $("override-reason").value = "";  // the next badge's holder gives their own reason
          }
          backToScan();
          return refresh(true);
        });
      });
    });
  }
  var reprintForm = $("reprint-form");
  if (reprintForm) {
    reprintForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var reason = $("reprint-reason").value.trim();
      var t = state && state.label && state.label.tracking_no;
      if (!t) return;
      submit(function () {
        return call("POST", "/api/parcels/" + encodeURIComponent(t) + "/reprint", { reason: reason }).then(function (r) {
          if (r.ok) {
            WmsSound.play("accepted");
            feedback("ok", "Reprint of " + t + " queued. 补打已加入队列。");
            $("reprint-reason").value = "";
          } else {
            WmsSound.play("rejected");
            feedback("bad", problem(r.data));
          }
          backToScan();
          return refresh(true);
        });
      });
    });
  }

  // ------------------------------------------------------------ start
  refresh(true).then(function () { scanBox.focus(); });
  setInterval(function () { if (!document.hidden) refresh(false); }, POLL_MS);
})();
