"""The ``cc11`` format: IMS Common Cartridge 1.1, the version Moodle imports. Written by cc.py."""

from builder.formats.cc import builder_for, make_part, parts_for
from builder.formats.cc_versions import VERSIONS

NAME = "cc11"
build = builder_for(VERSIONS[NAME])
parts = parts_for(VERSIONS[NAME])  # work a spare process can do ahead (builder.forked_jobs)
__all__ = ["NAME", "build", "make_part", "parts"]
