// Progressive enhancement only: every page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // "Select all" for the users list and the reset dialog.
  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      document.querySelectorAll("input.pick").forEach((b) => { b.checked = all.checked; });
    });
  }
  document.querySelectorAll("input.select-all").forEach((box) => {
    box.addEventListener("change", () => {
      box.form.querySelectorAll("input." + box.dataset.group).forEach((b) => { b.checked = box.checked; });
    });
  });

  // Ask before a form that says it needs confirming.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (e) => {
      if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); }
    });
  });

  // The bulk progress view: fetch the server-rendered fragment until the
  // run has finished.
  const poll = document.querySelector("[data-poll]");
  if (poll) {
    const tick = async () => {
      try {
        const r = await fetch(poll.dataset.poll, { credentials: "same-origin" });
        if (r.ok) {
          poll.innerHTML = await r.text();
          if (poll.querySelector("[data-finished]")) { return; }
        }
      } catch (err) {
        // A failed poll is tried again.
      }
      setTimeout(tick, 300);
    };
    setTimeout(tick, 300);
  }

  // Tells a test driving the page that the handlers above are in place.
  document.documentElement.dataset.ready = "1";
});
