.PHONY: web test-web

web: $(INSTALLED) $(DB) ## run the web app: hotline console, JSON API and chat page (WEB_PORT, default 8000)
	$(PY) -m bot.web.app

test-web: $(INSTALLED) $(SYSTEM_DEPS) ## test the console and its JSON API (API tests and headless Chromium)
	$(PY) -m pytest tests/web/test_api.py tests/web/test_console_browser.py -q
