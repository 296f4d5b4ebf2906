// The panel's small behaviours: live counts in the tab title, a sound when something new
// arrives (toggle kept per browser), and focus on the first field with an error.
(function () {
  "use strict";
  var baseTitle = document.title;
  var SOUND_KEY = "dysa-panel-sound";

  function soundOn() { return localStorage.getItem(SOUND_KEY) === "on"; }

  function beep() {
    if (!soundOn()) return;
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio available */ }
  }

  // Every live count on the page (the board, the inbox, the navigation's waiting badge) by its
  // key: the same key on two elements (inbox and badge) is one count, not two.
  var lastCounts = {};

  function updateLive() {
    var counts = {};
    var labels = {};
    document.querySelectorAll("[data-live-count]").forEach(function (live) {
      var key = live.getAttribute("data-live-key") || "live";
      var count = parseInt(live.getAttribute("data-live-count"), 10) || 0;
      counts[key] = Math.max(counts[key] || 0, count);
      labels[key] = live.getAttribute("data-live-label") || "";
    });
    var total = 0;
    var announce = [];
    Object.keys(counts).forEach(function (key) {
      total += counts[key];
      if (key in lastCounts && counts[key] > lastCounts[key]) announce.push(counts[key] + " " + labels[key]);
    });
    document.title = total > 0 ? "(" + total + ") " + baseTitle : baseTitle;
    if (announce.length) {
      beep();
      var announcer = document.getElementById("panel-announcer");
      if (announcer) announcer.textContent = announce.join(" · ");
    }
    lastCounts = counts;
  }

  function setupSound() {
    var button = document.querySelector("[data-sound-toggle]");
    if (!button) return;
    var on = button.getAttribute("data-on") || (document.documentElement.lang === "es" ? "Sonido activado" : "Sound on");
    var off = button.textContent;
    function render() {
      button.setAttribute("aria-pressed", soundOn() ? "true" : "false");
      button.textContent = soundOn() ? on : off;
    }
    button.addEventListener("click", function () {
      localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      render();
      beep();
    });
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSound();
    updateLive();
    var invalid = document.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (invalid) invalid.focus();
  });
  function scrollThreads() {
    document.querySelectorAll(".thread").forEach(function (thread) { thread.scrollTop = thread.scrollHeight; });
  }
  document.addEventListener("DOMContentLoaded", scrollThreads);
  document.addEventListener("htmx:afterSwap", scrollThreads);
  document.addEventListener("htmx:afterSwap", updateLive);
  document.addEventListener("htmx:afterSettle", updateLive);
})();
