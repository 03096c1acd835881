// The conversation page: claim, write to the worker, hand back; the transcript refreshes itself.
(function () {
  "use strict";
  var form = document.getElementById("takeover");
  var live = document.getElementById("live");
  if (!form || !live) { return; }
  var sender = encodeURIComponent(form.dataset.sender);
  var api = "/api/conversations/" + sender;
  var agent = document.getElementById("agent");
  var reply = document.getElementById("reply");
  var status = document.getElementById("takeover-status");
  var REFRESH_MS = 2000;

  // The name remembered from last time, unless the agent already typed one while the page loaded.
  if (!agent.value.trim()) agent.value = localStorage.getItem("console:agent") || "";
  agent.addEventListener("change", function () { localStorage.setItem("console:agent", agent.value.trim()); });

  function state() {
    var head = live.querySelector(".live-head");
    return head ? head.dataset.state : "bot";
  }

  function showControls() {
    var human = state() === "human";
    document.getElementById("claim").hidden = human;
    document.getElementById("release").hidden = !human;
    reply.disabled = !human;
    document.getElementById("send").disabled = !human;
  }

  function refresh() {
    // The fragment is rendered (and escaped) by the server, from the same templates as the page.
    return fetch("/console/conversations/" + sender + "/live", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { live.innerHTML = html; showControls(); })
      .catch(function () { /* the next round tries again */ });
  }

  function call(path, body) {
    status.textContent = "";
    return fetch(api + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { status.textContent = data.error ? data.error.message : String(response.status); }
        return response.ok;
      });
    }).then(function (ok) { return refresh().then(function () { return ok; }); });
  }

  document.getElementById("claim").addEventListener("click", function () {
    call("/takeover", { agent: agent.value.trim() });
  });
  document.getElementById("release").addEventListener("click", function () { call("/release", {}); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    call("/messages", { text: reply.value, agent: agent.value.trim() }).then(function (ok) {
      if (ok) { reply.value = ""; }
    });
  });

  // Search the list beside the chat; a hit goes to the worker as the answer script with its card.
  var hits = document.getElementById("practice-hits");
  document.getElementById("practice-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("practice-q").value.trim();
    if (!q) { return; }
    fetch("/api/search?limit=5&q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (page) {
        hits.textContent = "";
        (page.hits || []).forEach(function (hit) {
          var item = document.createElement("li");
          var title = document.createElement("span");
          title.textContent = hit.citation + " " + hit.region + "：" + hit.title;
          var send = document.createElement("button");
          send.type = "button";
          send.className = "send-practice";
          send.textContent = hits.dataset.sendLabel;
          send.addEventListener("click", function () {
            call("/messages", { practice: hit.id, agent: agent.value.trim() });
          });
          item.appendChild(title);
          item.appendChild(send);
          hits.appendChild(item);
        });
      });
  });

  showControls();
  setInterval(refresh, REFRESH_MS);
})();
