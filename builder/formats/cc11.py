"""The ``cc11`` format: IMS Common Cartridge 1.1, the version Moodle imports. Written by cc.py."""

from builder.formats.cc_versions import VERSIONS, entry_points

NAME = "cc11"
build, parts, make_part, prepare = entry_points(VERSIONS[NAME])
