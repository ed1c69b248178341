/* The overview: held orders are fixed where they are listed (a supervisor's release, a new
 * phone or address, shipping what is there), through the same API as the CLI; and the board
 * reloads itself every 30 s unless someone is in the middle of fixing an order. */
(function () {
  "use strict";
  var csrf = document.querySelector("meta[name=csrf-token]");

  function call(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json",
                 "X-CSRF-Token": csrf ? csrf.content : "" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { ok: r.ok, data: d }; });
    }, function (err) { return { ok: false, data: { message: "the service cannot be reached: " + err } }; });
  }

  var editing = false;
  document.querySelectorAll("form.fix-form").forEach(function (form) {
    form.addEventListener("input", function () { editing = true; });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var act = (e.submitter && e.submitter.value) || "release";
      var no = form.dataset.order, msg = form.querySelector(".fix-msg");
      var reason = form.elements.reason.value.trim();
      var phone = form.elements.phone.value.trim(), address = form.elements.address.value.trim();
      var base = "/api/orders/" + encodeURIComponent(no);
      var step;
      if (act === "ship-available") {
        step = call("POST", base + "/ship-available", {});
      } else if (act === "fix") {
        var recipient = {};
        if (phone) recipient.phone = phone;
        if (address) recipient.address = address;
        step = call("PATCH", base, { recipient: recipient, reason: reason || "fixed on the overview" }).then(function (r) {
          return r.ok && r.data.status === "on_hold" ? call("POST", base + "/release", { reason: reason || "fixed" }) : r;
        });
      } else {
        step = call("POST", base + "/release", { reason: reason });
      }
      step.then(function (r) {
        msg.className = "fix-msg " + (r.ok && r.data.status !== "on_hold" ? "ok" : "bad");
        if (r.ok) {
          msg.textContent = r.data.status === "on_hold"
            ? "still on hold 仍挂起: " + (r.data.hold_reason || "") : "✓ " + r.data.status +
              (r.data.back_order ? " · rest waits as 剩余: " + r.data.back_order : "");
          editing = false;
          if (r.data.status !== "on_hold") form.closest("tr").classList.remove("warn");
        } else {
          msg.textContent = "✗ " + (r.data.message || r.data.error || "refused");
        }
      });
    });
  });

  if (!document.body.classList.contains("wall")) {
    setInterval(function () {
      var active = document.activeElement;
      if (!editing && !(active && active.closest && active.closest("form"))) location.reload();
    }, 30000);
  }
})();
