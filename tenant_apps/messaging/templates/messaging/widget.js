/* dysa web chat widget. Paste on any page:
 *   <script src="https://<restaurant host>/widget.js" defer></script>
 * The page's origin must be listed in the restaurant's chat settings (allowed origins). */
(function () {
  "use strict";
  if (window.__dysaChat) { return; }
  var CONFIG = {{ config|safe }};
  var script = document.currentScript;
  if (script && script.src) {
    try { CONFIG.apiBase = new URL(script.src).origin; } catch (e) { /* keep the server's */ }
  }
  var TEXTS = {
    es: { open: "Abrir chat", close: "Cerrar chat", placeholder: "Escribe tu mensaje…",
          send: "Enviar", title: "Chatea con nosotros", error: "No se pudo enviar. Inténtalo de nuevo.",
          tooLong: "El mensaje es demasiado largo (máximo {n} caracteres).",
          tooMany: "Demasiados mensajes seguidos; espera un momento.",
          staff: "Equipo", off: "El chat no está disponible ahora mismo." },
    en: { open: "Open chat", close: "Close chat", placeholder: "Type your message…",
          send: "Send", title: "Chat with us", error: "Could not send. Please try again.",
          tooLong: "That message is too long (at most {n} characters).",
          tooMany: "Too many messages in a row; please wait a moment.",
          staff: "Staff", off: "The chat is not available right now." }
  };
  var T = TEXTS[CONFIG.language] || TEXTS.es;
  var STORE = "dysa-chat:" + CONFIG.apiBase;
  var POLL_OPEN_MS = 2500, POLL_CLOSED_MS = 15000;
  var state = { session: null, lastId: 0, seen: {}, open: false, timer: null, sending: false };
  try { state.session = JSON.parse(window.localStorage.getItem(STORE) || "null"); } catch (e) { state.session = null; }

  var host = document.createElement("div");
  host.id = "dysa-chat";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent = [
    ":host{all:initial}",
    ".bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;",
    "background:" + CONFIG.color + ";color:#fff;cursor:pointer;display:flex;align-items:center;",
    "justify-content:center;padding:0;",
    "box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}",
    ".badge{position:absolute;top:-4px;right:-4px;background:#dc2626;color:#fff;border-radius:9px;",
    "font:600 11px system-ui;padding:2px 6px;display:none}",
    ".panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);",
    "height:460px;max-height:calc(100vh - 120px);background:#fff;border-radius:12px;display:none;",
    "flex-direction:column;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;",
    "font:14px/1.4 system-ui,sans-serif;color:#222;z-index:2147483000}",
    ".panel.open{display:flex}",
    ".head{background:" + CONFIG.color + ";color:#fff;padding:10px 14px;font-weight:600}",
    ".log{flex:1;overflow-y:auto;padding:10px;background:#fafafa}",
    ".msg{margin:6px 0;padding:8px 10px;border-radius:10px;width:fit-content;max-width:85%;white-space:pre-wrap;",
    "word-wrap:break-word}",
    ".customer{background:" + CONFIG.color + ";color:#fff;margin-left:auto}",
    ".bot{background:#eee}.staff{background:#dbeafe}.system{background:none;color:#666;",
    "font-size:12px;text-align:center;width:auto;max-width:100%}",
    ".who{display:block;font-size:11px;opacity:.7}",
    "form{display:flex;border-top:1px solid #ddd}",
    "textarea{flex:1;border:0;padding:10px;font:inherit;resize:none;height:44px}",
    "textarea:focus{outline:2px solid " + CONFIG.color + ";outline-offset:-2px}",
    "button.send{border:0;background:none;color:" + CONFIG.color + ";font-weight:600;padding:0 14px;cursor:pointer}",
    ".err{color:#b91c1c;font-size:12px;padding:0 10px;min-height:0}"
  ].join("");
  root.appendChild(style);

  // A drawn icon rather than an emoji: emoji fonts are not on every system.
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }  // textContent only: message texts are data, never markup
    return node;
  }
  var bubble = el("button", "bubble");
  bubble.appendChild(chatIcon());
  bubble.setAttribute("aria-label", T.open);
  bubble.setAttribute("part", "bubble");
  var badge = el("span", "badge", "");
  bubble.appendChild(badge);
  var panel = el("div", "panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", CONFIG.name);
  var head = el("div", "head", CONFIG.name || T.title);
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var err = el("div", "err", "");
  var form = el("form");
  var input = el("textarea");
  input.setAttribute("placeholder", T.placeholder);
  input.setAttribute("aria-label", T.placeholder);
  input.setAttribute("maxlength", String(CONFIG.maxLength));
  var send = el("button", "send", T.send);
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(err);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(bubble);

  function api(method, path, body, token) {
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    return fetch(CONFIG.apiBase + path, {
      method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
      credentials: "omit", mode: "cors"
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, data: data };
      });
    });
  }

  function saveSession(session) {
    state.session = session;
    try {
      if (session) { window.localStorage.setItem(STORE, JSON.stringify(session)); }
      else { window.localStorage.removeItem(STORE); }
    } catch (e) { /* private mode: the session lives as long as the page */ }
  }

  // One session request at a time: opening the panel and sending at once share it, or the
  // visitor would end up with two conversations.
  var pendingSession = null;
  function ensureSession() {
    if (state.session && state.session.token) { return Promise.resolve(state.session); }
    if (pendingSession) { return pendingSession; }
    pendingSession = api("POST", "/api/v1/chat/sessions/", { language: CONFIG.language }).then(function (r) {
      if (r.status !== 201 || !r.data) { throw new Error("session " + r.status); }
      saveSession({ token: r.data.token, conversation: r.data.conversation });
      state.lastId = 0; state.seen = {};
      return state.session;
    });
    var clear = function () { pendingSession = null; };
    pendingSession.then(clear, clear);
    return pendingSession;
  }

  function render(message) {
    if (state.seen[message.id]) { return; }
    state.seen[message.id] = true;
    state.lastId = Math.max(state.lastId, message.id);
    var node = el("div", "msg " + message.sender);
    node.setAttribute("data-sender", message.sender);
    node.setAttribute("data-id", String(message.id));
    if (message.sender === "staff") { node.appendChild(el("span", "who", T.staff)); }
    node.appendChild(document.createTextNode(message.text));
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    if (!state.open && message.sender !== "customer") {
      badge.style.display = "block";
      badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
    }
  }

  function poll() {
    if (!state.session) { return Promise.resolve(); }
    var path = "/api/v1/chat/messages/" + (state.lastId ? "?after=" + state.lastId : "");
    return api("GET", path, null, state.session.token).then(function (r) {
      if (r.status === 401) { saveSession(null); return; }
      if (r.status === 200 && r.data) { r.data.results.forEach(render); }
    }).catch(function () { /* offline: try again at the next tick */ });
  }

  function schedule() {
    if (state.timer) { window.clearTimeout(state.timer); }
    var delay = state.open && !document.hidden ? POLL_OPEN_MS : POLL_CLOSED_MS;
    state.timer = window.setTimeout(function () { poll().then(schedule, schedule); }, delay);
  }

  function showError(text) { err.textContent = text || ""; err.style.padding = text ? "6px 10px" : "0 10px"; }

  function problemText(r) {
    if (r.status === 400 && r.data && r.data.errors && r.data.errors.text) {
      return String(r.data.errors.text[0]).replace("{n}", CONFIG.maxLength);
    }
    if (r.status === 429) { return T.tooMany; }
    if (r.status === 403) { return T.off; }
    return T.error;
  }

  function sendText(text, retried) {
    return ensureSession().then(function (session) {
      return api("POST", "/api/v1/chat/messages/", { text: text }, session.token);
    }).then(function (r) {
      if (r.status === 401 && !retried) { saveSession(null); return sendText(text, true); }
      if (r.status !== 201) { showError(problemText(r)); return false; }
      render(r.data.message);
      r.data.replies.forEach(render);
      return true;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || state.sending) { return; }
    if (text.length > CONFIG.maxLength) { showError(T.tooLong.replace("{n}", CONFIG.maxLength)); return; }
    state.sending = true; send.disabled = true; showError("");
    sendText(text, false).then(function (ok) {
      if (ok) { input.value = ""; }
    }).catch(function () { showError(T.error); }).then(function () {
      state.sending = false; send.disabled = false; input.focus();
    });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit")); }
    }
  });

  function toggle(open) {
    state.open = open;
    panel.className = open ? "panel open" : "panel";
    bubble.setAttribute("aria-label", open ? T.close : T.open);
    if (open) {
      badge.style.display = "none"; badge.textContent = "";
      ensureSession().then(poll).catch(function () { showError(CONFIG.enabled ? T.error : T.off); });
      input.focus();
    }
    schedule();
  }
  bubble.addEventListener("click", function () { toggle(!state.open); });
  document.addEventListener("visibilitychange", schedule);

  window.__dysaChat = { open: function () { toggle(true); }, close: function () { toggle(false); } };
  function mount() { document.body.appendChild(host); if (state.session) { poll(); schedule(); } }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
