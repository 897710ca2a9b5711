"""The ``cc13`` format: IMS Common Cartridge 1.3 (Canvas, Brightspace, Sakai). Written by cc.py."""

from builder.formats.cc_versions import VERSIONS, entry_points

NAME = "cc13"
build, parts, make_part, prepare = entry_points(VERSIONS[NAME])
