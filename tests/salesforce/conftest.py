"""Every Salesforce test caches the Metadata API schemas in a temporary folder, never in the real home."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _schema_cache_in_a_temporary_folder(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("HANDRAIL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "handrail-cache"))
