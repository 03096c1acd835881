# The web chat (/chat, /embed.js): its vendored browser library and its tests.
# The socket.io client is vendored into bot/web/static/chat/vendor/ (committed), so running and
# testing need no npm and no outside host; package.json + package-lock.json pin where it came from.
CHAT_VENDOR := bot/web/static/chat/vendor

.PHONY: chat-vendor test-chat

chat-vendor: ## refresh the vendored socket.io client from the npm lock (needs npm)
	npm ci --no-fund --no-audit
	mkdir -p $(CHAT_VENDOR)
	cp node_modules/socket.io-client/dist/socket.io.min.js $(CHAT_VENDOR)/socket.io.min.js
	cp node_modules/socket.io-client/LICENSE $(CHAT_VENDOR)/socket.io-client.LICENSE

test-chat: $(INSTALLED) $(SYSTEM_DEPS) ## run the web chat tests (socket.io client, headless Chromium)
	$(PY) -m pytest -q tests/web/test_socketio.py tests/web/test_chat_browser.py
