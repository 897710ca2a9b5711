"""What differs between the Common Cartridge versions the builder writes (1.1 and 1.3):
namespaces, resource types, the schema set and whether curriculum standards are carried."""

from __future__ import annotations

from dataclasses import dataclass

PROFILE_BASE = "http://www.imsglobal.org/profile/cc"


@dataclass(frozen=True)
class Version:
    """What differs between CC 1.1 and 1.3: namespaces, resource types, schemas, CSM support."""

    name: str  # format name and file suffix
    schema_set: str  # set in schemas/catalog.json
    schemaversion: str
    cp: str  # default namespace of imsmanifest.xml (Moodle detects CC 1.1 by it)
    lom: str  # LOM in the manifest metadata
    weblink: str
    topic: str
    weblink_type: str
    topic_type: str
    assessment_type: str
    schema_location: str
    curriculum_standards: bool


def _version(v: int) -> Version:
    tag = f"v1p{v}"
    return Version(
        name=f"cc1{v}",
        schema_set=f"cc1{v}",
        schemaversion=f"1.{v}.0",
        cp=f"http://www.imsglobal.org/xsd/imscc{tag}/imscp_v1p1",
        lom=f"http://ltsc.ieee.org/xsd/imscc{tag}/LOM/manifest",
        weblink=f"http://www.imsglobal.org/xsd/imscc{tag}/imswl_{tag}",
        topic=f"http://www.imsglobal.org/xsd/imscc{tag}/imsdt_{tag}",
        weblink_type=f"imswl_xml{tag}",
        topic_type=f"imsdt_xml{tag}",
        assessment_type=f"imsqti_xmlv1p2/imscc_xml{tag}/assessment",
        schema_location=(
            f"http://www.imsglobal.org/xsd/imscc{tag}/imscp_v1p1 "
            f"{PROFILE_BASE}/cc{tag}/cc{tag}_imscp_v1p2_v1p0.xsd "
            f"http://ltsc.ieee.org/xsd/imscc{tag}/LOM/manifest "
            f"{PROFILE_BASE}/cc{tag}/LOM/cc{tag}_lommanifest_v1p0.xsd"
        ),
        curriculum_standards=v >= 3,
    )


VERSIONS = {v.name: v for v in (_version(1), _version(3))}
