# WeChat official account and WeCom channels (bot/channels).
.PHONY: test-channels

test-channels: $(INSTALLED) ## run the WeChat/WeCom channel tests (real servers on loopback, wechatpy clients)
	$(PY) -m pytest tests/channels -q
