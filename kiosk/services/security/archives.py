"""Caps on ZIP-based uploads (.docx, .xlsx) before any XML inside is parsed.

A 1 MB .docx that inflates to 1 GB used to take +1.9 GB of memory and block every request
for 5 s before failing (issue 10). ZIP headers declare each member's uncompressed size, and
Python's ``zipfile`` never inflates a member beyond its declared size, so summing the
declared sizes bounds the memory a parser can be made to use; the member count bounds the
work of listing them. Checked in microseconds from the central directory.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class ZipLimits:
    max_unzipped: int  # bytes, all members together
    max_entries: int


DOCX_LIMITS = ZipLimits(max_unzipped=100 * 1024 * 1024, max_entries=2000)


class ArchiveTooLarge(ValueError):
    """The archive would inflate beyond its limits; ``message`` says by how much, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_archive(archive: zipfile.ZipFile, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """The members of ``archive``, or :class:`ArchiveTooLarge` when it is a bomb."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveTooLarge(f"压缩包内有 {len(infos)} 个文件，超过上限 {limits.max_entries} 个 "
                              f"(the archive holds {len(infos)} entries; at most "
                              f"{limits.max_entries} are accepted)")
    total = sum(info.file_size for info in infos)
    if total > limits.max_unzipped:
        raise ArchiveTooLarge(
            f"文件解压后约 {_mb(total)}，超过上限 {_mb(limits.max_unzipped)}，无法读取 "
            f"(the file would unpack to {_mb(total)}; at most {_mb(limits.max_unzipped)} "
            "are accepted)")
    return infos


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"
