"""Reading an XMI .zip is bounded whatever its headers say: a member of zeros, a zip of zip bombs, too many
members (or an end record claiming millions), too much in all and a member too big are refused naming the
file, the member and the limit, within a few megabytes of memory; one level of zips inside the zip is read
(INCEpTION's export) and deeper ones are reported; a header that lies about a size changes nothing; cancel
stops the reading."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import pytest

from app.formats import FORMATS, export_as, import_as
from app.formats import xmi
from app.importer import ImportCancelled
from tests.interchange_corpus import ANALYST, build
from tests.test_import_integrity import snapshot

XMI = FORMATS["xmi"]
MB = 1 << 20


@pytest.fixture(scope="module")
def xmi_files(tmp_path_factory) -> dict[str, bytes]:
    """Real XMI, as Hashiya exports it: the interchange corpus's three documents."""
    from app.project import Project

    folder = tmp_path_factory.mktemp("xmi")
    project = Project.create(folder / "source.hashiya")
    try:
        build(project)
        export_as(project, XMI, folder / "export", ANALYST)
    finally:
        project.close()
    return {path.name: path.read_bytes() for path in sorted((folder / "export").glob("*.xmi"))}


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zeros_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of `size` zero bytes, written a megabyte at a time (it packs about 1000:1)."""
    with archive.open(name, "w", force_zip64=size >= 1 << 31) as stream:
        chunk = bytes(MB)
        for _ in range(size // MB):
            stream.write(chunk)


def imported_with_peak(project, path, **options):
    """The import's report and the most memory it held at once (traced Python allocations, zlib's output
    included)."""
    tracemalloc.start()
    try:
        report = import_as(project, XMI, path, "amal", **options)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_member_of_zeros_is_refused_within_a_few_megabytes(project, project_path, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        zeros_member(archive, "annotation/bomb.xmi", 256 * MB)
    before = snapshot(project_path)
    report, peak = imported_with_peak(project, bomb)
    [(name, reason)] = report.rejected
    assert name == str(bomb)
    assert "annotation/bomb.xmi" in reason and f"{xmi.MAX_ZIP_RATIO} times its packed size" in reason
    assert peak < 32 * MB  # refused after its first megabytes, never 256 MB
    assert snapshot(project_path) == before


def test_a_zip_of_zip_bombs_is_refused_at_the_first(project, tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        zeros_member(archive, "layer.xmi", 64 * MB)
    outer = tmp_path / "nested.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as archive:
        for number in range(16):
            archive.writestr(f"annotation/doc{number}/amal.zip", inner.getvalue())
    report, peak = imported_with_peak(project, outer)
    [(_, reason)] = report.rejected
    assert reason.startswith("annotation/doc0/amal.zip/layer.xmi") and "zip bomb" in reason
    assert peak < 32 * MB


def test_many_small_members_that_pack_too_well_are_refused_by_the_ratio_of_the_whole(project, tmp_path, monkeypatch):
    monkeypatch.setattr(xmi, "ZIP_RATIO_GRACE", 2 * MB)
    archive_path = tmp_path / "many.zip"
    # Well-formed XMI, each a megabyte of one letter: alone under the grace, together past it.
    members = {f"{number}.xmi": minimal_xmi("ب" * (MB // 2) + str(number)) for number in range(8)}
    archive_path.write_bytes(zipped(members))
    [(_, reason)] = import_as(project, XMI, archive_path, "amal").rejected
    assert reason.startswith("1.xmi: the zip so far unpacks to more than 100 times its packed size")


def minimal_xmi(text: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><xmi:XMI xmlns:xmi="http://www.omg.org/XMI" '
            'xmlns:cas="http:///uima/cas.ecore" xmi:version="2.0"><cas:Sofa xmi:id="1" sofaNum="1" '
            f'sofaID="_InitialView" mimeType="text" sofaString="{text}"/><cas:View sofa="1" members=""/></xmi:XMI>'
            ).encode("utf-8")


def test_more_than_the_total_limit_is_refused_naming_the_member_and_the_limit(project, tmp_path, monkeypatch,
                                                                              xmi_files):
    total = sum(len(data) for data in xmi_files.values())
    monkeypatch.setattr(xmi, "MAX_ZIP_TOTAL_BYTES", total - 1)
    (tmp_path / "export.zip").write_bytes(zipped(xmi_files))
    [(_, reason)] = import_as(project, XMI, tmp_path / "export.zip", "amal").rejected
    assert reason.startswith(f"{sorted(xmi_files)[-1]}: the zip unpacks to more than {total - 1:,} bytes in all")
    assert project.document_ids() == []


def test_a_member_over_the_member_limit_is_refused(project, tmp_path, monkeypatch, xmi_files):
    biggest = max(xmi_files, key=lambda name: len(xmi_files[name]))
    monkeypatch.setattr(xmi, "MAX_XMI_BYTES", len(xmi_files[biggest]) - 1)
    (tmp_path / "export.zip").write_bytes(zipped(xmi_files))
    [(_, reason)] = import_as(project, XMI, tmp_path / "export.zip", "amal").rejected
    assert reason == f"{biggest} unpacks to more than {len(xmi_files[biggest]) - 1:,} bytes, the limit for one member"


def test_too_many_members_are_refused(project, tmp_path, monkeypatch, xmi_files):
    monkeypatch.setattr(xmi, "MAX_ZIP_MEMBERS", 10)
    name, data = next(iter(xmi_files.items()))
    (tmp_path / "many.zip").write_bytes(zipped({f"{number}-{name}": data for number in range(11)}))
    [(_, reason)] = import_as(project, XMI, tmp_path / "many.zip", "amal").rejected
    assert "declares 11 entries" in reason and "more than the 10 entries" in reason


def test_an_end_record_claiming_millions_of_entries_is_refused_before_the_directory_is_read(project, tmp_path,
                                                                                           xmi_files):
    data = bytearray(zipped(xmi_files))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<L", data, end + 12, 3_000_000_000)  # the central directory's size
    (tmp_path / "claims.zip").write_bytes(bytes(data))
    [(_, reason)] = import_as(project, XMI, tmp_path / "claims.zip", "amal").rejected
    assert "a directory of 3,000,000,000 bytes" in reason


def test_a_header_lying_about_a_size_is_not_believed(project, tmp_path, xmi_files):
    """The central directory's uncompressed size is not what the limits count: a member claiming 2 GB reads as
    the little it is, and one claiming a few bytes while holding more fails its checksum."""
    data = bytearray(zipped(xmi_files))
    entry = data.find(b"PK\x01\x02")
    struct.pack_into("<L", data, entry + 24, 0x7FFF_FFFF)  # more than MAX_XMI_BYTES
    (tmp_path / "claims-more.zip").write_bytes(bytes(data))
    report = import_as(project, XMI, tmp_path / "claims-more.zip", "amal")
    assert report.ok, report.rejected
    assert len(report.imported) == len(xmi_files)

    data = bytearray(zipped({"big.xmi": bytes(4 * MB)}))
    entry = data.find(b"PK\x01\x02")
    struct.pack_into("<L", data, entry + 24, 100)
    (tmp_path / "claims-less.zip").write_bytes(bytes(data))
    [(_, reason)] = import_as(project, XMI, tmp_path / "claims-less.zip", "amal").rejected
    assert "is not a readable zip" in reason


def test_one_level_of_zips_inside_is_read_and_deeper_ones_are_reported(project, tmp_path, xmi_files):
    names = sorted(xmi_files)
    deepest = zipped({names[2]: xmi_files[names[2]]})
    inner = zipped({names[1]: xmi_files[names[1]], "deeper.zip": deepest})
    (tmp_path / "export.zip").write_bytes(zipped({names[0]: xmi_files[names[0]], "annotation/doc/amal.zip": inner}))
    report = import_as(project, XMI, tmp_path / "export.zip", "amal")
    assert report.ok, report.rejected
    assert len(report.imported) == 2
    assert any(line.startswith("annotation/doc/amal.zip/deeper.zip: a zip inside a zip inside the input — not opened")
               for line in report.unrepresented)


def test_cancel_stops_reading_a_zip_and_imports_nothing(project, project_path, tmp_path, xmi_files):
    (tmp_path / "export.zip").write_bytes(zipped(xmi_files))
    asked = []

    def cancelled():
        asked.append(True)
        return True

    before = snapshot(project_path)
    with pytest.raises(ImportCancelled):
        import_as(project, XMI, tmp_path / "export.zip", "amal", cancelled=cancelled)
    assert asked and snapshot(project_path) == before
