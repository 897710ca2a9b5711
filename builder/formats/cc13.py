"""The ``cc13`` format: IMS Common Cartridge 1.3 (Canvas, Brightspace, Sakai). Written by cc.py."""

from builder.formats.cc import builder_for, make_part, parts_for
from builder.formats.cc_versions import VERSIONS

NAME = "cc13"
build = builder_for(VERSIONS[NAME])
parts = parts_for(VERSIONS[NAME])  # work a spare process can do ahead (builder.forked_jobs)
__all__ = ["NAME", "build", "make_part", "parts"]
