"""Hashiya's own files are package data, found wherever it is installed, and a missing one is named."""

import os
from pathlib import Path

import pytest

from app import packagedata


def test_every_resource_the_program_reads_is_found():
    assert packagedata.resource_json("labels.json")["entity"]
    assert "verbs" in packagedata.resource_json("reporting_verbs.json")
    assert packagedata.resource_json("boilerplate_cues.json")["cues"]
    assert packagedata.resource_text("guidelines.md").strip()
    assert packagedata.resource_names("fonts", ".ttf")
    assert "Open Font License" in packagedata.resource_text("fonts/OFL.txt")
    assert len(packagedata.demo_articles()) == 5 and packagedata.demo_schema().name == "schema.json"


def test_a_missing_resource_is_named_with_where_it_was_looked_for():
    with pytest.raises(packagedata.MissingResource) as raised:
        packagedata.resource_text("no-such-file.json")
    message = str(raised.value)
    assert "resources/no-such-file.json is missing" in message and "install Hashiya again" in message


def test_a_missing_package_is_named(monkeypatch):
    monkeypatch.setattr(packagedata, "RESOURCES_PACKAGE", "app.not_installed")
    with pytest.raises(packagedata.MissingResource, match="not_installed/labels.json is missing"):
        packagedata.resource_json("labels.json")


class BundlerPath:
    """What a bundler may hand out for a file on disk: path-like, but no pathlib.Path (Nuitka does)."""

    def __init__(self, path):
        self.path, self.name = path, Path(path).name

    def __fspath__(self):
        return str(self.path)


def test_path_like_package_data_of_a_bundler_is_a_file_on_disk(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("نص", encoding="utf-8")
    assert packagedata._on_disk(BundlerPath(article)) == article
    assert isinstance(BundlerPath(article), os.PathLike)


def test_a_zipped_entry_is_refused_by_name():
    class Zipped:
        name = "000.txt"

    with pytest.raises(packagedata.MissingResource, match="zipped installation"):
        packagedata._on_disk(Zipped())
