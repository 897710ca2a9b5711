"""What LMS importers really do, shared by the format writers and ``builder validate``.

Moodle's detection of a Common Cartridge (which bytes it reads, what it looks for) and the CC question
profiles Moodle and Open edX convert. The writers make packages that pass these rules; the inspector
(builder.inspect) reports packages that do not.
"""

from __future__ import annotations

import re
from enum import StrEnum

# Moodle finds a cartridge by searching the first 1024 bytes of imsmanifest.xml, lower-cased with
# whitespace and quotes removed, for the default-namespace declaration of its CC version.
MOODLE_CC_NEEDLE = {
    "1.0": "xmlns=http://www.imsglobal.org/xsd/imscc/imscp_v1p1",
    "1.1": "xmlns=http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
}
MOODLE_DETECTION_BYTES = 1024  # what current Moodle reads
OLD_MOODLE_DETECTION_BYTES = 500  # what Moodle read before; our own cartridges meet this stricter limit


def moodle_detects_cc(manifest: bytes, version: str, limit: int = MOODLE_DETECTION_BYTES) -> bool:
    """Moodle's own test: the CC version's default-namespace declaration in the first ``limit`` bytes."""
    head = manifest[:limit].decode("latin-1").lower()
    return MOODLE_CC_NEEDLE[version] in re.sub(r"[\s'\"]", "", head)


class Profile(StrEnum):
    """The CC question types: the only ``cc_profile`` values Moodle's importer maps to a question."""

    MULTIPLE_CHOICE = "cc.multiple_choice.v0p1"
    MULTIPLE_RESPONSE = "cc.multiple_response.v0p1"
    TRUE_FALSE = "cc.true_false.v0p1"
    FIB = "cc.fib.v0p1"
    PATTERN_MATCH = "cc.pattern_match.v0p1"
    ESSAY = "cc.essay.v0p1"


# cc_profile values Moodle and Open edX convert; any other item is dropped (Moodle) or sinks the
# whole assessment (Open edX).
CC_PROFILES = tuple(profile.value for profile in Profile)
