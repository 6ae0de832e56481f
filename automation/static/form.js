// Countdown of the member's time and one-click submit. The server enforces the
// deadline; this only shows the time left and submits when it runs out.
"use strict";
// A page restored by Back from the browser's memory may be out of date (the round has
// moved on, the answers were sent): load it again from the server.
window.addEventListener("pageshow", function (event) {
  if (event.persisted) { window.location.reload(); }
});
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("quiz");
  var clock = document.getElementById("countdown");
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function () {
      var button = f.querySelector("button[type=submit]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
  if (!form || !clock) { return; }
  var ends = Date.now() + 1000 * parseInt(clock.getAttribute("data-seconds"), 10);
  var sent = false;
  function tick() {
    var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left <= 30) { clock.parentNode.classList.add("low"); }
    if (left === 0 && !sent) {
      sent = true;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    setTimeout(tick, 250);
  }
  form.addEventListener("submit", function () { sent = true; });
  tick();
});
