from __future__ import annotations

from pathlib import Path

import pytest

from zhili.conf import ConfigError, env, settings_markdown


def test_it_refuses_a_malformed_boolean(monkeypatch):
    monkeypatch.setenv("ZHILI_DEBUG", "maybe")
    with pytest.raises(ConfigError, match="ZHILI_DEBUG"):
        env("ZHILI_DEBUG")


def test_it_reads_a_list_of_hosts(monkeypatch):
    monkeypatch.setenv("ZHILI_ALLOWED_HOSTS", "zhili.gov.cn, 10.0.0.5")
    assert env("ZHILI_ALLOWED_HOSTS") == ["zhili.gov.cn", "10.0.0.5"]


def test_the_settings_doc_is_generated_from_the_declarations():
    doc = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
    assert doc.read_text(encoding="utf-8") == settings_markdown()
