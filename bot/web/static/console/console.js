// Search as you type: fetch /api/search, draw hits with textContent (never innerHTML),
// mark the matched terms, and keep ?q= in the address bar so a search can be shared.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var template = document.getElementById("hit-template");
  var tiers = document.getElementById("tier-labels").dataset;
  var fields = ["region", "task", "measure", "province"];
  var composing = false;
  var timer = null;
  var latest = 0;

  function params() {
    var p = new URLSearchParams();
    p.set("q", input.value.trim());
    fields.forEach(function (name) {
      var value = document.getElementById(name).value.trim();
      if (value) { p.set(name, value); }
    });
    return p;
  }

  // Fill `parent` with `text`, wrapping the stretches covered by any term in <mark>
  // (overlapping terms merge into one mark), the same way the server does.
  function marked(parent, text, terms) {
    parent.textContent = "";
    var covered = new Array(text.length).fill(false);
    terms.filter(Boolean).forEach(function (term) {
      for (var at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
        for (var k = at; k < at + term.length; k++) { covered[k] = true; }
      }
    });
    var start = 0;
    for (var i = 1; i <= text.length; i++) {
      if (i === text.length || covered[i] !== covered[start]) {
        var piece = text.slice(start, i);
        if (covered[start]) {
          var mark = document.createElement("mark");
          mark.textContent = piece;
          parent.appendChild(mark);
        } else {
          parent.appendChild(document.createTextNode(piece));
        }
        start = i;
      }
    }
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length) + "…" : text;
  }

  function draw(data) {
    results.textContent = "";
    data.hits.forEach(function (hit) {
      var item = template.content.firstElementChild.cloneNode(true);
      var tier = item.querySelector(".tier");
      if (data.place) {  // the place preference only means something when a place was asked
        tier.textContent = tiers[hit.region_match] || tiers.none;
        tier.classList.add("tier-" + hit.region_match);
      } else {
        tier.hidden = true;
      }
      item.querySelector(".cite").textContent = hit.citation;
      marked(item.querySelector(".region"), hit.region, data.terms);
      var title = item.querySelector(".hit-title");
      title.href = "/practices/" + encodeURIComponent(hit.id);
      marked(title, hit.title, data.terms);
      marked(item.querySelector(".hit-text"), shorten(hit.text, 160), data.terms);
      item.querySelector(".hit-meta").textContent = hit.task + " · " + hit.measure;
      results.appendChild(item);
    });
    var text = status.dataset.count.replace("{n}", data.total);
    if (data.place) { text += status.dataset.place.replace("{place}", data.place); }
    if (!data.total) { text += "。" + status.dataset.empty; }
    status.textContent = text;
  }

  function search() {
    var p = params();
    var url = p.get("q") ? "/console?" + p.toString() : "/console";
    history.replaceState(null, "", url);
    if (!p.get("q")) {
      results.textContent = "";
      status.textContent = "";
      return;
    }
    var ticket = ++latest;
    status.textContent = status.dataset.searching;
    p.set("limit", "20");
    fetch("/api/search?" + p.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (reply) {
        if (ticket !== latest) { return; }
        if (reply.ok) {
          draw(reply.body);
        } else {
          results.textContent = "";
          status.textContent = reply.body.error ? reply.body.error.message : status.dataset.error;
        }
      })
      .catch(function (error) {
        if (ticket === latest) { status.textContent = status.dataset.error + String(error); }
      });
  }

  function soon() {
    if (composing) { return; }  // wait until the input method has produced Chinese characters
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  }

  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () { composing = false; soon(); });
  input.addEventListener("input", soon);
  fields.forEach(function (name) {
    var field = document.getElementById(name);
    field.addEventListener(field.tagName === "SELECT" ? "change" : "input", soon);
  });
  // Only show the measures of the chosen work task.
  var task = document.getElementById("task");
  var measure = document.getElementById("measure");
  function narrow() {
    Array.prototype.forEach.call(measure.options, function (option) {
      option.hidden = Boolean(option.value && task.value && option.dataset.task !== task.value);
    });
    if (measure.selectedOptions[0] && measure.selectedOptions[0].hidden) { measure.value = ""; }
  }
  task.addEventListener("change", narrow);
  narrow();
  form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); search(); });
})();
