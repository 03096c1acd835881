/* Web chat loader for government apps and sites (served as /embed.js; see docs/api.md):
 *   <script src="https://HOST/embed.js" data-region="安徽省芜湖市" data-app="wuhu-app" async></script>
 * adds a floating button that opens the chat (/chat?embed=1&region=…&app=…) in an iframe.
 * data-open="1" opens it at once. window.ConstructionChat.open() / .close() control it.
 */
(function () {
  "use strict";
  var TEXT = {{ {"button": "政策咨询", "title": "建筑工人政策助手", "close": "关闭对话"}|tojson }};
  if (window.ConstructionChat) return;

  var script = document.currentScript || (function () {
    var found = document.querySelectorAll('script[src*="embed.js"]');
    return found[found.length - 1];
  })();
  if (!script) return;

  var source = new URL(script.src, window.location.href);
  var origin = source.origin;
  var params = new URLSearchParams({ embed: "1" });
  if (script.getAttribute("data-region")) params.set("region", script.getAttribute("data-region"));
  if (script.getAttribute("data-app")) params.set("app", script.getAttribute("data-app"));
  var chatUrl = origin + source.pathname.replace(/embed\.js$/, "") + "chat?" + params.toString();

  var button = null;
  var frame = null;

  function place() {
    var small = window.innerWidth < 600;
    var style = frame.style;
    style.position = "fixed";
    style.zIndex = "2147483647";
    style.border = "0";
    style.background = "#ededed";
    style.boxShadow = "0 8px 30px rgba(0,0,0,0.25)";
    style.right = small ? "0" : "20px";
    style.bottom = small ? "0" : "88px";
    style.width = small ? "100%" : "380px";
    style.height = small ? "100%" : "min(640px, calc(100vh - 110px))";
    style.borderRadius = small ? "0" : "10px";
  }

  function open() {
    if (!button) return;
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "construction-chat-frame";
      frame.title = TEXT.title;
      frame.src = chatUrl;
      document.body.appendChild(frame);
    }
    place();
    frame.style.display = "block";
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", TEXT.close);
  }

  function close() {
    if (!button) return;
    if (frame) frame.style.display = "none";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", TEXT.title);
  }

  function mount() {
    button = document.createElement("button");
    button.id = "construction-chat-button";
    button.type = "button";
    button.textContent = TEXT.button;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", TEXT.title);
    var style = button.style;
    style.position = "fixed";
    style.right = "20px";
    style.bottom = "20px";
    style.zIndex = "2147483646";
    style.minWidth = "56px";
    style.height = "56px";
    style.padding = "0 18px";
    style.border = "0";
    style.borderRadius = "28px";
    style.background = "#07c160";
    style.color = "#fff";
    style.fontSize = "16px";
    style.fontWeight = "600";
    style.boxShadow = "0 4px 14px rgba(0,0,0,0.25)";
    style.cursor = "pointer";
    button.addEventListener("click", function () {
      if (frame && frame.style.display !== "none") close(); else open();
    });
    document.body.appendChild(button);
    window.addEventListener("message", function (event) {
      if (event.origin === origin && event.data && event.data.type === "construction-chat:close") close();
    });
    window.addEventListener("resize", function () { if (frame) place(); });
    if (script.getAttribute("data-open") === "1") open();
  }

  window.ConstructionChat = { open: function () { open(); }, close: function () { close(); }, url: chatUrl };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
