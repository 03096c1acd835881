"""The held-out multi-turn stories (never used for training) pass `rasa test core` with the trained model."""
from __future__ import annotations

import json
import subprocess
import sys

from bot.config import ROOT
from tests.support.stack import MODEL


def test_every_held_out_story_is_followed(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(MODEL),
         "--stories", str(ROOT / "tests" / "stories"), "--out", str(tmp_path), "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "story_report.json").read_text(encoding="utf-8"))
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert report["conversation_accuracy"]["accuracy"] == 1.0, failed[:3000]
    assert report["conversation_accuracy"]["total"] >= 15
