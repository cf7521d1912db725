// Live chat, the customer's side (B13). Without JavaScript the corner button is a plain link to a
// form that leaves a message as an inquiry; with it, the button opens a small chat panel. The
// conversation (its id, the last message number and what was shown) lives in sessionStorage, so it
// survives a page change and a reload; a reconnect asks the server for what came after the last
// number. Every text from the server is set with textContent, never as HTML.
(function () {
  "use strict";
  var corner = document.getElementById("chat-corner");
  var button = document.getElementById("chat-button");
  var panel = document.getElementById("chat-panel");
  if (!corner || !button || !panel || !window.WebSocket || !window.sessionStorage || !window.fetch) return;

  var d = corner.dataset;
  var $ = function (id) { return document.getElementById(id); };
  var closedBox = $("chat-closed"), startForm = $("chat-start-form"), conversationBox = $("chat-conversation");
  var log = $("chat-log"), typing = $("chat-typing"), input = $("chat-input"), sendForm = $("chat-send-form");
  var endedBox = $("chat-ended"), notice = $("chat-notice"), attachBox = $("chat-attach"), attachSelect = $("chat-attach-case");
  var key = "caseport.chat";
  // The page's CSRF token, from the language switch every page has.
  var csrfField = document.querySelector('input[name="csrf_token"]');
  var csrf = csrfField ? csrfField.value : "";
  var socket = null, retry = 0, typingTimer = null, lastTypingSent = 0, status = null, casesLoaded = false;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(key)) || null; } catch (e) { return null; }
  }
  function save(state) { sessionStorage.setItem(key, JSON.stringify(state)); }
  var state = load();

  // The link becomes a button that opens the panel.
  button.setAttribute("role", "button");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "chat-panel");
  button.addEventListener("click", function (event) {
    event.preventDefault();
    toggle(panel.hidden);
  });
  button.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); toggle(panel.hidden); }
  });
  $("chat-close").addEventListener("click", function () { toggle(false); button.focus(); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { toggle(false); button.focus(); }
  });

  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (state) { state.open = open; save(state); }
    if (open) {
      show();
      var first = panel.querySelector("input:not([type=hidden]), textarea, button.button-primary");
      if (first && !first.closest("[hidden]")) first.focus();
    }
  }

  function show() {
    if (state && state.conversation) {
      closedBox.hidden = true;
      startForm.hidden = true;
      conversationBox.hidden = false;
      if (!socket && !state.ended) connect();
      if (!casesLoaded) { casesLoaded = true; refreshStatus(null, true); }
      return;
    }
    conversationBox.hidden = true;
    refreshStatus(function () {
      var open = status && status.open;
      closedBox.hidden = open;
      startForm.hidden = !open;
      if (open && status.name && !$("chat-name").value) $("chat-name").value = status.name;
      if (open && status.email && !$("chat-email").value) $("chat-email").value = status.email;
    });
  }

  function showOpen(open) {
    corner.classList.toggle("chat-is-open", open);
    button.textContent = open ? d.tOpen : d.tClosed;
  }

  function refreshStatus(then, withCases) {
    fetch(d.status + (withCases ? "?cases=1" : ""), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (json) {
        status = json;
        showOpen(!!json.open);
        if (withCases) fillCases();
        if (then) then();
      })
      .catch(function () { if (then) then(); });
  }

  function fillCases() {
    if (!status || !status.cases || !status.cases.length) { attachBox.hidden = true; return; }
    attachBox.hidden = false;
    while (attachSelect.options.length > 1) attachSelect.remove(1);
    status.cases.forEach(function (c) {
      var option = document.createElement("option");
      option.value = String(c.number);
      option.textContent = c.number + " – " + c.subject;
      attachSelect.appendChild(option);
    });
  }

  // Starting: the name and e-mail are posted with the page's CSRF token.
  startForm.addEventListener("submit", function (event) {
    event.preventDefault();
    ["name", "email"].forEach(function (f) { $("chat-" + f + "-error").hidden = true; $("chat-" + f).removeAttribute("aria-invalid"); });
    var body = new URLSearchParams();
    body.set("name", $("chat-name").value);
    body.set("email", $("chat-email").value);
    body.set("csrf_token", csrf);
    fetch(d.start, { method: "POST", credentials: "same-origin", body: body,
                     headers: { "Accept": "application/json", "X-CSRF-Token": csrf } })
      .then(function (r) { return r.json().then(function (json) { return { ok: r.ok, json: json }; }); })
      .then(function (result) {
        if (result.ok) {
          state = { conversation: result.json.conversation, lastSeq: 0, shown: [], open: true, ended: false };
          save(state);
          show();
          input.focus();
        } else if (result.json.closed) {
          startForm.hidden = true;
          closedBox.hidden = false;
        } else {
          Object.keys(result.json.errors || {}).forEach(function (f) {
            var box = $("chat-" + f + "-error");
            if (!box) return;
            box.textContent = result.json.errors[f];
            box.hidden = false;
            $("chat-" + f).setAttribute("aria-invalid", "true");
          });
          var wrong = startForm.querySelector("[aria-invalid=true]");
          if (wrong) wrong.focus();
        }
      })
      .catch(function () { say(d.tError); });
  });

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + d.socket;
    socket = new WebSocket(url);
    socket.onopen = function () {
      retry = 0;
      socket.send(JSON.stringify({ type: "hello", conversation: state.conversation, after_seq: state.lastSeq || 0 }));
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function () {
      socket = null;
      if (!state || !state.conversation || state.ended) return;
      retry = Math.min(retry + 1, 6);
      setTimeout(function () { if (state && state.conversation && !socket) connect(); }, 500 * retry);
    };
  }

  function handle(frame) {
    if (frame.type === "message") {
      if (frame.seq <= (state.lastSeq || 0)) return;
      state.lastSeq = frame.seq;
      state.shown.push({ seq: frame.seq, author: frame.author, name: frame.name, body: frame.body, at: frame.at });
      if (state.shown.length > 300) state.shown.shift();
      save(state);
      render(state.shown[state.shown.length - 1]);
      typing.hidden = true;
    } else if (frame.type === "typing") {
      typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typing.hidden = true; }, 4000);
    } else if (frame.type === "state") {
      state.ended = frame.state === "ended";
      $("chat-waiting").hidden = frame.state !== "waiting";
      state.caseNumber = frame.case_number || null;
      save(state);
      showEnded(frame.inquiry);
      if (frame.case_number) say(d.tAttached.replace("{number}", String(frame.case_number)));
    } else if (frame.type === "done" && frame.what === "transcript") {
      say(d.tTranscriptSent);
    } else if (frame.type === "error") {
      if (frame.code === "not_found") { forget(); return; }
      if (frame.code === "rate_limited") say(d.tSlowDown);
      else if (frame.code === "chat_error_empty") say(d.tEmpty);
      else if (frame.code === "not_allowed_now") showEnded(false);
      else say(d.tError);
    }
  }

  function render(message) {
    var item = document.createElement("li");
    item.className = "chat-message chat-" + message.author;
    var meta = document.createElement("p");
    meta.className = "chat-meta";
    var name = document.createElement("strong");
    name.textContent = message.author === "customer" ? d.tYou : message.name;
    meta.appendChild(name);
    if (message.at) {
      var time = document.createElement("time");
      time.dateTime = message.at;
      time.textContent = " " + new Date(message.at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
      meta.appendChild(time);
    }
    var body = document.createElement("p");
    body.className = "chat-body";
    body.textContent = message.body;
    item.appendChild(meta);
    item.appendChild(body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function showEnded(inquiry) {
    var ended = state && state.ended;
    endedBox.hidden = !ended;
    sendForm.hidden = ended;
    $("chat-end").hidden = ended;
    if (ended) {
      $("chat-ended-text").textContent = inquiry ? d.tEndedInquiry : d.tEnded;
      if (socket) { var s = socket; socket = null; s.onclose = null; s.close(); }
    }
  }

  function say(text) {
    notice.textContent = text;
  }

  function forget() {
    sessionStorage.removeItem(key);
    state = null;
    if (socket) { var s = socket; socket = null; s.onclose = null; s.close(); }
    while (log.firstChild) log.removeChild(log.firstChild);
    endedBox.hidden = true;
    sendForm.hidden = false;
    $("chat-end").hidden = false;
    say("");
    show();
  }

  function send() {
    var text = input.value.trim();
    if (!text || !socket || socket.readyState !== 1) return;
    socket.send(JSON.stringify({ type: "message", body: text }));
    input.value = "";
  }

  // Enter sends; Shift+Enter breaks the line.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (socket && socket.readyState === 1 && now - lastTypingSent > 2000) {
      lastTypingSent = now;
      socket.send(JSON.stringify({ type: "typing" }));
    }
  });
  sendForm.addEventListener("submit", function (event) { event.preventDefault(); send(); input.focus(); });
  $("chat-end").addEventListener("click", function () {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "end" }));
  });
  $("chat-transcript").addEventListener("click", function () {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "transcript" }));
    else say(d.tError);
  });
  $("chat-new").addEventListener("click", function () { forget(); });
  $("chat-attach-button").addEventListener("click", function () {
    var number = parseInt(attachSelect.value, 10);
    if (number && socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "attach", case_number: number }));
  });

  // On every page: the corner shows whether the chat is open; a conversation in progress is restored.
  corner.hidden = false;
  // The page says whether anyone answers (issue 17: no request per page load); opening the panel asks again.
  if (d.open === "open" || d.open === "closed") showOpen(d.open === "open"); else refreshStatus();
  if (state && state.conversation) {
    (state.shown || []).forEach(render);
    showEnded(false);
    if (state.open) { panel.hidden = false; button.setAttribute("aria-expanded", "true"); show(); }
  }
})();
