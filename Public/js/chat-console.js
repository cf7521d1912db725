// The staff chat console (D7): the waiting queue with how long each chat has waited, take, several
// chats side by side, the customer's typing, staff-only notes, hand over, attach to a case, the
// transcript and end. One socket carries everything; every text is set with textContent.
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root || !window.WebSocket) return;
  var d = root.dataset;
  var $ = function (id) { return document.getElementById(id); };
  var queueList = $("chat-queue-list"), panels = $("chat-panels"), notice = $("chat-console-notice");
  var availabilityForm = $("chat-availability-form"), availabilityButton = $("chat-availability-button");
  var availabilityState = $("chat-availability-state");
  var socket = null, retry = 0, colleagues = [], chats = {}, waiting = [], available = false, lastTyping = {};

  function send(frame) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(frame)); return true; }
    notice.textContent = d.tError;
    return false;
  }

  // Availability through the socket (the form posts without JavaScript).
  // Without an open socket the form posts as it does without JavaScript.
  availabilityForm.addEventListener("submit", function (event) {
    if (!socket || socket.readyState !== 1) return;
    event.preventDefault();
    send({ type: "available", value: !available });
  });

  function connect() {
    socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + d.socket);
    socket.onopen = function () {
      retry = 0;
      Object.keys(chats).forEach(function (id) {
        send({ type: "hello", conversation: Number(id), after_seq: chats[id].lastSeq });
      });
      send({ type: "queue" });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function () {
      socket = null;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * retry);
    };
  }

  function handle(frame) {
    if (frame.type === "queue") {
      waiting = frame.waiting;
      colleagues = frame.colleagues;
      available = frame.available;
      renderQueue();
      renderAvailability();
      frame.mine.forEach(function (id) { ensureChat(id); });
      Object.keys(chats).forEach(function (id) { fillColleagues(chats[id]); });
    } else if (frame.type === "message") {
      var chat = ensureChat(frame.conversation);
      if (frame.seq <= chat.lastSeq) return;
      chat.lastSeq = frame.seq;
      renderMessage(chat, frame);
      chat.typing.hidden = true;
    } else if (frame.type === "state") {
      var c = ensureChat(frame.conversation);
      c.state = frame.state;
      c.mine = frame.assigned_to_me;
      var ended = frame.state === "ended";
      c.form.hidden = ended || !frame.assigned_to_me;
      c.tools.hidden = ended || !frame.assigned_to_me;
      c.status.textContent = ended ? (frame.inquiry ? d.tInquiry : d.tEnded) : "";
      if (frame.case_number) c.caseStatus.textContent = d.tAttached.replace("{number}", String(frame.case_number));
    } else if (frame.type === "typing") {
      var t = chats[frame.conversation];
      if (!t) return;
      t.typing.hidden = false;
      clearTimeout(t.typingTimer);
      t.typingTimer = setTimeout(function () { t.typing.hidden = true; }, 4000);
    } else if (frame.type === "done" && frame.what === "transcript") {
      notice.textContent = d.tTranscriptSent;
    } else if (frame.type === "error") {
      notice.textContent = frame.code === "colleague_away" ? d.tNoColleague : d.tRefused;
    }
  }

  function waited(seconds) {
    var minutes = Math.floor(seconds / 60);
    return minutes < 1 ? d.tWaitedNow : d.tWaitedMinutes.replace("{n}", String(minutes));
  }

  function renderQueue() {
    while (queueList.firstChild) queueList.removeChild(queueList.firstChild);
    var empty = $("chat-queue-empty");
    if (!waiting.length) {
      if (!empty) {
        empty = document.createElement("p");
        empty.id = "chat-queue-empty";
        empty.className = "muted";
        empty.textContent = d.tQueueEmpty;
        queueList.parentNode.insertBefore(empty, queueList.nextSibling);
      }
      return;
    }
    if (empty) empty.parentNode.removeChild(empty);
    var loaded = Date.now();
    waiting.forEach(function (w) {
      var item = document.createElement("li");
      item.dataset.conversation = String(w.conversation);
      var name = document.createElement("span");
      name.className = "chat-queue-name";
      name.textContent = w.name;
      var email = document.createElement("span");
      email.className = "muted";
      email.textContent = " " + w.email + " ";
      var time = document.createElement("time");
      time.className = "muted chat-waited";
      time.dateTime = w.since;
      time.dataset.base = String(w.waited_seconds);
      time.dataset.loaded = String(loaded);
      time.textContent = waited(w.waited_seconds);
      var take = document.createElement("button");
      take.type = "button";
      take.className = "button button-small button-primary";
      take.textContent = d.tTake;
      take.setAttribute("aria-label", d.tTake + " – " + w.name);
      take.addEventListener("click", function () { send({ type: "take", conversation: w.conversation }); });
      item.appendChild(name);
      item.appendChild(email);
      item.appendChild(time);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(take);
      queueList.appendChild(item);
    });
  }

  // The waiting times count on between queue updates.
  setInterval(function () {
    Array.prototype.forEach.call(document.querySelectorAll(".chat-waited"), function (time) {
      var seconds = Number(time.dataset.base) + Math.floor((Date.now() - Number(time.dataset.loaded)) / 1000);
      time.textContent = waited(seconds);
    });
  }, 15000);

  function renderAvailability() {
    availabilityState.textContent = available ? d.tAvailable : d.tAway;
    availabilityButton.textContent = available ? d.tSetAway : d.tSetAvailable;
    availabilityButton.value = available ? "0" : "1";
    availabilityButton.classList.toggle("button-primary", !available);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function ensureChat(id) {
    if (chats[id]) return chats[id];
    $("chat-mine-empty").hidden = true;
    var chat = { id: id, lastSeq: 0 };
    var section = element("section", "chat-window");
    section.setAttribute("aria-labelledby", "chat-window-title-" + id);
    var head = element("div", "chat-head");
    var title = element("h3", null, "#" + id);
    title.id = "chat-window-title-" + id;
    var remove = element("button", "chat-close");
    remove.type = "button";
    remove.appendChild(element("span", null, "×")).setAttribute("aria-hidden", "true");
    remove.appendChild(element("span", "visually-hidden", d.tRemove));
    remove.addEventListener("click", function () { section.parentNode.removeChild(section); delete chats[id]; });
    head.appendChild(title);
    head.appendChild(remove);
    var log = element("ol", "chat-log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", title.textContent);
    log.tabIndex = 0;
    var typing = element("p", "chat-typing muted", d.tTyping);
    typing.hidden = true;
    var status = element("p", "chat-status");
    status.setAttribute("role", "status");
    var caseStatus = element("p", "chat-status");

    var form = element("form", "chat-send");
    var label = element("label", null, d.tReply.replace("{name}", "#" + id));
    label.htmlFor = "chat-input-" + id;
    var input = element("textarea");
    input.id = "chat-input-" + id;
    input.rows = 2;
    input.maxLength = 4000;
    input.setAttribute("aria-describedby", "chat-hint-" + id);
    var hint = element("p", "hint", d.tEnterHint);
    hint.id = "chat-hint-" + id;
    var noteLabel = element("label", "check");
    var note = element("input");
    note.type = "checkbox";
    noteLabel.appendChild(note);
    noteLabel.appendChild(document.createTextNode(" " + d.tNote));
    var sendButton = element("button", "button button-primary button-small", d.tSend);
    sendButton.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(hint);
    form.appendChild(noteLabel);
    form.appendChild(sendButton);
    function post() {
      var text = input.value.trim();
      if (!text) return;
      if (send({ type: "message", conversation: id, body: text, staff_only: note.checked })) { input.value = ""; note.checked = false; }
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); post(); input.focus(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); post(); }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - (lastTyping[id] || 0) > 2000) { lastTyping[id] = now; send({ type: "typing", conversation: id }); }
    });

    var tools = element("div", "chat-tools");
    var handLabel = element("label", null, d.tHandover);
    handLabel.htmlFor = "chat-handover-" + id;
    var handSelect = element("select");
    handSelect.id = "chat-handover-" + id;
    var handButton = element("button", "button button-small", d.tHandoverButton);
    handButton.type = "button";
    handButton.addEventListener("click", function () {
      if (handSelect.value) send({ type: "handover", conversation: id, to: Number(handSelect.value) });
    });
    var caseLabel = element("label", null, d.tAttachCase);
    caseLabel.htmlFor = "chat-case-" + id;
    var caseInput = element("input");
    caseInput.id = "chat-case-" + id;
    caseInput.inputMode = "numeric";
    caseInput.size = 8;
    var caseButton = element("button", "button button-small", d.tAttach);
    caseButton.type = "button";
    caseButton.addEventListener("click", function () {
      var number = parseInt(caseInput.value, 10);
      if (number) send({ type: "attach", conversation: id, case_number: number });
    });
    var transcript = element("button", "button button-small", d.tTranscript);
    transcript.type = "button";
    transcript.addEventListener("click", function () { send({ type: "transcript", conversation: id }); });
    var end = element("button", "button button-small button-danger", d.tEnd);
    end.type = "button";
    end.addEventListener("click", function () { send({ type: "end", conversation: id }); });
    [handLabel, handSelect, handButton, caseLabel, caseInput, caseButton, transcript, end].forEach(function (n) {
      tools.appendChild(n);
      tools.appendChild(document.createTextNode(" "));
    });

    [head, log, typing, status, caseStatus, form, tools].forEach(function (n) { section.appendChild(n); });
    panels.appendChild(section);
    chat.section = section; chat.log = log; chat.typing = typing; chat.status = status; chat.caseStatus = caseStatus;
    chat.form = form; chat.tools = tools; chat.handSelect = handSelect; chat.title = title; chat.label = label;
    chats[id] = chat;
    fillColleagues(chat);
    send({ type: "hello", conversation: id, after_seq: 0 });
    return chat;
  }

  function fillColleagues(chat) {
    var select = chat.handSelect;
    while (select.firstChild) select.removeChild(select.firstChild);
    select.appendChild(element("option", null, "—")).value = "";
    colleagues.forEach(function (c) {
      var option = element("option", null, c.name);
      option.value = String(c.id);
      select.appendChild(option);
    });
  }

  function renderMessage(chat, frame) {
    var item = element("li", "chat-message chat-" + frame.author + (frame.staff_only ? " chat-note" : ""));
    var meta = element("p", "chat-meta");
    meta.appendChild(element("strong", null, frame.name));
    if (frame.staff_only) meta.appendChild(element("span", "tag", " " + d.tStaffOnly));
    var time = element("time", null, " " + new Date(frame.at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }));
    time.dateTime = frame.at;
    meta.appendChild(time);
    item.appendChild(meta);
    item.appendChild(element("p", "chat-body", frame.body));
    chat.log.appendChild(item);
    chat.log.scrollTop = chat.log.scrollHeight;
    if (frame.author === "customer" && chat.title.textContent.charAt(0) === "#") {
      chat.title.textContent = frame.name + " (#" + chat.id + ")";
      chat.log.setAttribute("aria-label", chat.title.textContent);
      chat.label.textContent = d.tReply.replace("{name}", frame.name);
    }
  }

  connect();
})();
