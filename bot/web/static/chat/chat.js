/* The web chat: talks to Rasa's socket.io channel with session persistence.
 *
 * The session id and a transcript are kept in localStorage, so a reload shows the same
 * conversation and continues it. Every sentence the user reads comes from the page
 * (templates/chat.html), never from this file.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var text = JSON.parse(document.getElementById("chat-text").textContent);
  var prefix = "chat:" + (config.app || "web") + ":";
  var KEYS = { session: prefix + "session", history: prefix + "history", large: "chat:large", person: prefix + "person" };
  var MAX_HISTORY = 200;
  var ANSWER_TIMEOUT_MS = 30000;

  var messages = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var status = document.getElementById("status");
  var largeButton = document.getElementById("large-text");
  var closeButton = document.getElementById("close-chat");
  var cardTemplate = document.getElementById("tpl-practice");

  var store = {
    get: function (key) {
      try { return window.localStorage.getItem(key); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: memory only */ }
    },
  };

  function loadHistory() {
    try {
      var saved = JSON.parse(store.get(KEYS.history) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (e) {
      return [];
    }
  }

  var history = loadHistory();
  var sessionId = store.get(KEYS.session);
  var confirmed = false;
  var pending = [];
  var typing = null;
  var answerTimer = null;
  // A person from the hotline has the conversation: they answer when they answer, so no
  // "正在查找…" and no "no answer" notice (the notices carry custom.handoff: "human" / "bot").
  var withPerson = store.get(KEYS.person) === "1";

  function saveHistory() {
    if (history.length > MAX_HISTORY) history = history.slice(history.length - MAX_HISTORY);
    store.set(KEYS.history, JSON.stringify(history));
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function row(from) {
    var node = element("div", "msg " + from);
    var who = from === "user" ? text.you : from === "bot agent" ? text.agent : text.bot;
    node.appendChild(element("span", "who", who));
    return node;
  }

  function choiceButton(button, onSent) {
    var choice = element("button", "choice", button.title);
    choice.type = "button";
    choice.addEventListener("click", function () {
      if (send(button.payload, button.title) && onSent) onSent();
    });
    return choice;
  }

  // A group of choices is answered once: after one is sent, all are disabled (also after reload).
  function renderButtons(entry, buttons, container) {
    var group = element("div", "choices");
    buttons.forEach(function (button) {
      var choice = choiceButton(button, function () {
        entry.used = true;
        saveHistory();
        Array.prototype.forEach.call(group.children, function (b) { b.disabled = true; });
      });
      choice.disabled = !!entry.used;
      group.appendChild(choice);
    });
    container.appendChild(group);
  }

  // A card carries what a text channel shows as one item: place, headline, key fact (or the
  // full text), citation and its own 看全文 button; the source line follows the cards once.
  function renderPractices(entry, container) {
    var list = element("div", "cards");
    var inCards = {};
    entry.practices.forEach(function (practice) {
      var card = cardTemplate.content.firstElementChild.cloneNode(true);
      card.setAttribute("data-practice-id", practice.id || "");
      card.querySelector(".card-place").textContent = practice.place || practice.region || practice.province || "";
      var title = card.querySelector(".card-title");
      title.textContent = practice.title || "";
      card.querySelector(".card-n").textContent = practice.n ? practice.n + "." : "";
      title.href = config.practiceUrl + encodeURIComponent(practice.id || "");
      var fact = card.querySelector(".card-fact");
      fact.textContent = practice.body || practice.fact || "";
      if (practice.body) fact.classList.add("full");
      var foot = card.querySelector(".card-foot");
      card.querySelector(".card-num").textContent = practice.citation || "";
      var detail = practice.detail;
      if (detail && detail.payload) {
        inCards[detail.payload] = true;
        // each card's 看全文 stays usable: a worker may read one practice, then another
        foot.appendChild(choiceButton({ title: String(detail.title || ""), payload: String(detail.payload) }));
      }
      list.appendChild(card);
    });
    container.appendChild(list);
    if (entry.source) container.appendChild(element("div", "cards-source", entry.source));
    var rest = (entry.buttons || []).filter(function (b) { return !inCards[b.payload]; });
    if (rest.length) renderButtons(entry, rest, container);
  }

  function render(entry) {
    var node;
    if (entry.from === "notice") {
      node = element("div", "notice local", entry.text);
    } else if (entry.practices) {
      node = row(entry.agent ? "bot agent" : "bot");
      renderPractices(entry, node);
    } else {
      node = row(entry.agent ? "bot agent" : entry.from);  // a person of the hotline wrote it
      node.appendChild(element("div", "bubble", entry.text));
      if (entry.buttons && entry.buttons.length) renderButtons(entry, entry.buttons, node);
    }
    messages.insertBefore(node, typing);
    scrollDown();
  }

  function record(entry) {
    history.push(entry);
    saveHistory();
    render(entry);
  }

  function notice(message) {
    render({ from: "notice", text: message });
  }

  function setStatus(message) {
    status.textContent = message || "";
    status.hidden = !message;
  }

  function showTyping() {
    if (!typing) {
      typing = element("div", "msg bot typing");
      typing.appendChild(element("div", "bubble", text.typing));
      messages.appendChild(typing);
    }
    scrollDown();
    clearTimeout(answerTimer);
    answerTimer = setTimeout(function () {
      hideTyping();
      notice(text.noAnswer);
    }, ANSWER_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(answerTimer);
    if (typing) typing.remove();
    typing = null;
  }

  var socket = window.io(config.socketUrl, {
    path: config.socketPath,
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 10000,
  });

  function emit(message) {
    socket.emit("user_uttered", { message: message, session_id: sessionId, metadata: config.metadata });
  }

  /* Sends a message (or a button's payload, shown as its title); false when it was refused. */
  function send(message, shown) {
    var trimmed = (message || "").trim();
    if (!trimmed) return false;
    if (Array.from(trimmed).length > config.maxChars) {
      notice(text.tooLong);
      return false;
    }
    record({ from: "user", text: shown || trimmed });
    if (confirmed) emit(trimmed); else pending.push(trimmed);
    if (!withPerson) showTyping();
    return true;
  }

  socket.on("connect", function () {
    confirmed = false;
    setStatus(text.connecting);
    socket.emit("session_request", { session_id: sessionId });
  });

  socket.on("session_confirm", function (data) {
    var confirmedId = typeof data === "string" ? data : data && data.session_id;
    if (sessionId && confirmedId !== sessionId) {
      history = [];
      saveHistory();
    }
    sessionId = confirmedId;
    store.set(KEYS.session, sessionId);
    confirmed = true;
    setStatus("");
    pending.splice(0).forEach(emit);
  });

  socket.on("bot_uttered", function (message) {
    if (!message || typeof message !== "object") return;
    hideTyping();
    var custom = message.custom;
    if (custom && typeof custom.handoff === "string") {
      withPerson = custom.handoff === "human";
      store.set(KEYS.person, withPerson ? "1" : "");
    }
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: String(b.title || ""), payload: String(b.payload || b.title || "") };
    });
    // An answer with cards draws the cards instead of its text: each practice once.
    if (custom && Array.isArray(custom.practices) && custom.practices.length) {
      record({ from: "bot", practices: custom.practices, source: String(custom.source || ""), buttons: buttons,
               agent: withPerson });
    } else if (message.text) {
      record({ from: "bot", text: String(message.text), buttons: buttons, agent: withPerson });
    }
  });

  socket.on("disconnect", function () {
    confirmed = false;
    setStatus(text.offline);
  });
  socket.on("connect_error", function () {
    setStatus(text.offline);
  });

  function applyLarge(on, announce) {
    document.documentElement.classList.toggle("large-text", on);
    largeButton.setAttribute("aria-pressed", on ? "true" : "false");
    store.set(KEYS.large, on ? "1" : "0");
    if (announce) notice(on ? text.largeOn : text.largeOff);
  }

  largeButton.addEventListener("click", function () {
    applyLarge(largeButton.getAttribute("aria-pressed") !== "true", true);
  });

  if (closeButton) {
    closeButton.addEventListener("click", function () {
      window.parent.postMessage({ type: "construction-chat:close" }, "*");
    });
  }

  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (send(input.value)) {
      input.value = "";
      grow();
    }
  });

  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter starts a new line; Enter that picks characters in an IME does neither.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  input.addEventListener("input", grow);

  applyLarge(store.get(KEYS.large) === "1", false);
  setStatus(text.connecting);
  history.forEach(render);
})();
