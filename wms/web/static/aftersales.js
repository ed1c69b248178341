/* After-sales parcel page: open a case and close one through the cases API
 * (POST /api/cases, POST /api/cases/{code}/close; the page's cookie signs the calls).
 * The page is reloaded afterwards, so what is shown is what the service recorded. */
(function () {
  "use strict";
  var message = document.getElementById("case-message");

  function say(kind, text) {
    if (!message) return;
    message.hidden = false;
    message.className = "msg " + kind;
    message.textContent = text;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": document.querySelector("meta[name=csrf-token]").content },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { ok: r.ok, data: data }; });
    }, function (err) { return { ok: false, data: { message: "the service cannot be reached: " + err } }; });
  }

  function reloadWith(text) {
    try { sessionStorage.setItem("wms.caseMessage", text); } catch (e) { /* ignore */ }
    location.reload();
  }

  var saved = null;
  try { saved = sessionStorage.getItem("wms.caseMessage"); sessionStorage.removeItem("wms.caseMessage"); } catch (e) { /* ignore */ }
  if (saved) say("ok", saved);

  var form = document.getElementById("case-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var lines = [];
      form.querySelectorAll("tr[data-sku]").forEach(function (tr) {
        if (!tr.querySelector("input[name=pick]").checked) return;
        var line = { sku: tr.dataset.sku, qty: parseInt(tr.querySelector("input[name=qty]").value, 10) || 1 };
        var condition = tr.querySelector("select[name=condition]").value;
        if (condition) line.condition = condition;
        lines.push(line);
      });
      var body = { order_no: form.dataset.orderNo, case_type: form.case_type.value, reason: form.reason.value,
                   lines: lines, notes: form.notes.value.trim() || null };
      post("/api/cases", body).then(function (r) {
        if (!r.ok) { say("bad", "✗ " + (r.data.message || r.data.error || "refused")); return; }
        var c = r.data;
        reloadWith(c.status === "refused" ? "Case " + c.code + " recorded as refused: " + (c.outcome || "")
                                          : "Case " + c.code + " opened (" + c.status + "). 工单已创建。");
      });
    });
  }

  document.querySelectorAll("form.case-close").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var code = f.dataset.case;
      post("/api/cases/" + encodeURIComponent(code) + "/close", { outcome: f.outcome.value.trim() }).then(function (r) {
        if (!r.ok) { say("bad", "✗ " + (r.data.message || r.data.error || "refused")); return; }
        reloadWith("Case " + code + " closed. 工单已结案。");
      });
    });
  });
})();
