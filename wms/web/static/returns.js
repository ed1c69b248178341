/* Returns receiving: scan -> weigh -> inspect (disposition per item) -> put-away slip.
 * Each step calls the returns API with the page's cookie:
 *   POST /api/returns/receipts {code}                 identify the parcel (case or unidentified)
 *   POST /api/returns/receipts/{id}/match {case}      tie an unidentified return to its case
 *   POST /api/returns/receipts/{id}/weigh {grams}     a `return` weighing in the parcel's history
 *   POST /api/returns/receipts/{id}/inspect {items}   stock moves; answers the put-away lines
 * and reads GET /api/cases/{code} (claimed items) and GET /api/skus/{sku} (names). */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var app = $("returns-app");
  var BENCH = app.dataset.bench;
  var receipt = null, kase = null, names = {};

  var DISPOSITIONS = [["restock", "restock 上架可售"], ["quarantine", "quarantine 隔离待检"],
                      ["scrap", "scrap 报废"], ["supplier", "back to supplier 退供应商"]];
  var CONDITIONS = [["", "— choose 请选择 —"], ["intact", "intact 完好"], ["opened", "opened 已拆封"],
                    ["damaged", "damaged 破损"], ["missing_parts", "missing parts 缺件"], ["worn", "worn 已穿戴"],
                    ["washed", "washed 已洗涤"], ["tag_missing", "tag missing 吊牌缺失"]];

  function call(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": document.querySelector("meta[name=csrf-token]").content } };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (r) {
      if (r.status === 401) location.href = "/login?next=/returns";
      return r.json().catch(function () { return {}; }).then(function (d) { return { ok: r.ok, data: d }; });
    }, function (err) { return { ok: false, data: { message: "the service cannot be reached: " + err } }; });
  }

  function say(id, kind, text) {
    var el = $(id);
    el.hidden = false;
    el.className = "msg " + kind;
    el.textContent = text;
  }

  function nameOf(sku) {
    if (names[sku]) return Promise.resolve(names[sku]);
    return call("GET", "/api/skus/" + encodeURIComponent(sku)).then(function (r) {
      names[sku] = r.ok ? r.data.name : sku;
      return names[sku];
    });
  }

  function option(select, value, text, chosen) {
    var o = document.createElement("option");
    o.value = value; o.textContent = text; o.selected = value === chosen;
    select.appendChild(o);
  }

  /** Quality and transit problems are checked before anything goes back on sale. */
  function suggested(condition) {
    if (condition === "damaged" || condition === "missing_parts") return "quarantine";
    if (kase && (kase.reason === "quality" || kase.reason === "transit_damage")) return "quarantine";
    return "restock";
  }

  function addRow(sku, qty, condition) {
    var body = document.querySelector("#inspect-items tbody");
    if (body.querySelector("td[colspan]")) body.textContent = "";
    var tr = document.createElement("tr");
    tr.dataset.sku = sku;
    tr.innerHTML = "<td class='name'></td><td class='num'><input type='number' class='qty' min='1'></td>" +
                   "<td><select class='condition'></select></td><td><select class='disposition'></select></td>" +
                   "<td><input class='bin' placeholder='old bin 原库位' size='10'></td>";
    tr.querySelector(".name").textContent = sku;
    nameOf(sku).then(function (n) { tr.querySelector(".name").textContent = n + " (" + sku + ")"; });
    var q = tr.querySelector(".qty");
    q.value = qty; q.max = qty;
    var c = tr.querySelector(".condition");
    CONDITIONS.forEach(function (x) { option(c, x[0], x[1], condition || ""); });
    var d = tr.querySelector(".disposition");
    DISPOSITIONS.forEach(function (x) { option(d, x[0], x[1], suggested(condition)); });
    var bin = tr.querySelector(".bin");
    var syncBin = function () { bin.disabled = d.value !== "restock"; if (bin.disabled) bin.value = ""; };
    d.addEventListener("change", syncBin);
    c.addEventListener("change", function () { d.value = suggested(c.value); syncBin(); });
    syncBin();
    body.appendChild(tr);
    $("inspect-submit").disabled = false;
  }

  function showReceipt(r) {
    receipt = r;
    $("receipt").hidden = false;
    $("receipt-id").textContent = "#" + r.receipt_id + " · " + r.received_by;
    $("receipt-case").textContent = r.case || "UNIDENTIFIED 未识别";
    $("receipt-tracking").textContent = r.tracking_no || r.scanned_code;
    $("match-form").hidden = !r.unidentified;
    $("add-sku").hidden = $("add-item").hidden = !r.unidentified;
    $("return-grams").disabled = false;
    document.querySelector("#weigh-form button").disabled = false;
    document.querySelector("#inspect-items tbody").innerHTML =
      "<tr><td colspan='5' class='muted'>" + (r.unidentified ? "Unidentified: add the items found in the parcel. 请添加包裹内商品。"
                                                            : "Loading the case… 读取工单…") + "</td></tr>";
    if (!r.case) { kase = null; $("receipt-order").textContent = "—"; return Promise.resolve(); }
    return call("GET", "/api/cases/" + encodeURIComponent(r.case)).then(function (c) {
      if (!c.ok) return;
      kase = c.data;
      $("receipt-order").textContent = kase.order_no + " · " + kase.case_type + " · " + kase.reason;
      document.querySelector("#inspect-items tbody").textContent = "";
      kase.lines.forEach(function (l) { addRow(l.sku, l.qty, l.condition); });
      $("return-grams").focus();
    });
  }

  $("receive-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var code = $("return-code").value.trim();
    if (!code) return;
    $("slip-section").hidden = true;
    call("POST", "/api/returns/receipts", { code: code }).then(function (r) {
      if (!r.ok) { alertBad(r.data); return; }
      $("return-code").value = "";
      showReceipt(r.data);
    });
  });

  function alertBad(data) { say("inspect-message", "bad", "✗ " + (data.message || data.error || "refused")); }

  $("match-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target;
    call("POST", "/api/returns/receipts/" + receipt.receipt_id + "/match", { case: f["case"].value.trim() }).then(function (r) {
      if (!r.ok) { alertBad(r.data); return; }
      showReceipt(r.data);
    });
  });

  $("weigh-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var grams = parseInt($("return-grams").value, 10);
    if (!receipt || !(grams >= 0)) return;
    call("POST", "/api/returns/receipts/" + receipt.receipt_id + "/weigh", { grams: grams, station: BENCH }).then(function (r) {
      if (!r.ok) { say("weigh-result", "bad", "✗ " + (r.data.message || "not recorded")); return; }
      var w = r.data, text = w.grams + " g recorded 已记录";
      if (w.expected_items_g !== undefined) {
        text += " · claimed items 申报商品 " + w.expected_items_g + " ± " + w.tolerance_g + " g · Δ " +
                (w.delta_g >= 0 ? "+" : "") + w.delta_g + " g — " + w.check;
      }
      var light = w.check && w.check.indexOf("lighter") === 0;
      say("weigh-result", light ? "bad" : "ok", text);
    });
  });

  $("add-item").addEventListener("click", function () {
    var sku = $("add-sku").value.trim();
    if (!sku) return;
    nameOf(sku).then(function () { addRow(sku, 1, ""); $("add-sku").value = ""; });
  });

  $("inspect-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!receipt) return;
    var items = [], unjudged = [];
    document.querySelectorAll("#inspect-items tbody tr[data-sku]").forEach(function (tr) {
      var item = { sku: tr.dataset.sku, qty: parseInt(tr.querySelector(".qty").value, 10) || 0,
                   disposition: tr.querySelector(".disposition").value };
      var condition = tr.querySelector(".condition").value, bin = tr.querySelector(".bin").value.trim();
      if (condition) item.condition = condition;
      else if (item.qty > 0) { unjudged.push(item.sku); tr.classList.add("needs-condition"); }
      if (bin) item.bin = bin;
      if (item.qty > 0) items.push(item);
    });
    if (unjudged.length) {  // nothing goes back on a shelf before someone says what state it is in
      say("inspect-message", "bad", "Choose each item's condition first 请先选择每件商品的状态: " + unjudged.join(", "));
      return;
    }
    call("POST", "/api/returns/receipts/" + receipt.receipt_id + "/inspect", { items: items }).then(function (r) {
      if (!r.ok) { alertBad(r.data); return; }
      say("inspect-message", "ok", "Recorded: " + r.data.put_away.length + " line(s) to put away. 已记录。");
      $("inspect-submit").disabled = true;
      showSlip(r.data);
    });
  });

  function showSlip(answer) {
    var rec = answer.receipt;
    var facts = $("slip-facts");
    facts.textContent = "";
    [["receipt 收货单", "#" + rec.receipt_id], ["case 工单", rec.case || "unidentified 未识别"],
     ["tracking no 运单号", rec.tracking_no || rec.scanned_code], ["weight 重量", rec.weight_g != null ? rec.weight_g + " g" : "—"],
     ["received 收货", rec.received_by + " · " + new Date(rec.received_at).toLocaleString("zh-CN", { hour12: false })]].forEach(function (f) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = f[0]; dd.textContent = f[1];
      facts.appendChild(dt); facts.appendChild(dd);
    });
    var body = document.querySelector("#slip-items tbody");
    body.textContent = "";
    answer.put_away.forEach(function (p) {
      var tr = document.createElement("tr");
      tr.dataset.sku = p.sku;
      [p.sku, names[p.sku] || p.sku, p.qty, (p.disposition_label || p.disposition) +
        (p.condition_label ? " · " + p.condition_label : ""), p.bin].forEach(function (v, i) {
        var td = document.createElement("td");
        td.textContent = v;
        if (i === 2) td.className = "num";
        if (i === 4) td.className = "bin";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    $("slip-section").hidden = false;
    $("slip-section").scrollIntoView();
  }

  $("print-slip").addEventListener("click", function () { window.print(); });
})();
