"""The ``cc13`` format: IMS Common Cartridge 1.3 (Canvas, Brightspace, Sakai). Written by cc.py."""

from builder.formats.cc import VERSIONS, builder_for

NAME = "cc13"
build = builder_for(VERSIONS[NAME])
