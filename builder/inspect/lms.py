"""What LMS importers trip on, beyond the schemas: SCORM players and Moodle's cartridge import.

SCORM: scormtype present and spelled for the edition under the literal adlcp prefix, the exact
schemaversion strings Moodle's player recognises, file names it mishandles. Cartridges: the CC
versions Moodle imports and its own detection of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from builder.inspect.detect import SCORM_2004_EDITIONS, schemaversion
from builder.inspect.findings import Finding, error, warning
from builder.inspect.manifest import Manifest, scorm_attribute
from builder.lms_rules import MOODLE_CC_NEEDLE, moodle_detects_cc

# Characters Moodle's SCORM player mishandles in file names.
RISKY_NAME_CHARS = set(":&'\"|")


def lms_checks(manifest: Manifest, names: frozenset[str]) -> list[Finding]:
    family = manifest.kind.family
    if family in ("scorm12", "scorm2004"):
        return scormtypes(manifest) + scorm_schemaversion(manifest) + risky_file_names(manifest, names)
    if family == "cc":
        return cc_checks(manifest)
    return []


def scormtypes(manifest: Manifest) -> list[Finding]:
    family = manifest.kind.family
    ns, name, other = scorm_attribute(family)
    referenced = manifest.referenced()
    out: list[Finding] = []
    prefix_reported = False
    for resource in manifest.resources:
        element = resource.element
        value = element.get(f"{{{ns}}}{name}")
        if value is None:
            wrong = [key for key in (f"{{{ns}}}{other}", name, other) if element.get(key) is not None]
            if wrong:
                written = etree.QName(wrong[0])
                shown = f"adlcp:{written.localname}" if written.namespace else written.localname
                message = (
                    f"resource {resource.identifier!r} has {shown}, but {manifest.kind.title} reads "
                    f"adlcp:{name} (namespace {ns}): write adlcp:{name}"
                )
                out.append(error("missing-scormtype", message, manifest.member, element))
                continue
            message = (
                f"resource {resource.identifier!r} has no adlcp:{name}; the LMS treats it as an asset "
                f'and records no score or completion: add adlcp:{name}="sco" if it talks to the LMS, '
                '"asset" otherwise'
            )
            opened = resource.identifier in referenced
            out.append((error if opened else warning)("missing-scormtype", message, manifest.member, element))
            continue
        if manifest.kind.schema_set is None and value not in ("sco", "asset"):
            message = f'adlcp:{name} is {value!r}; it must be "sco" or "asset"'
            out.append(error("bad-scormtype", message, manifest.member, element))
        prefixes = sorted(p or "" for p, uri in element.nsmap.items() if uri == ns)
        if "adlcp" not in prefixes and not prefix_reported:
            prefix_reported = True
            out.append(
                error(
                    "scormtype-prefix",
                    f"the ADL namespace is bound to prefix {prefixes[0]!r}, but Moodle reads the literal "
                    f"attribute name adlcp:{name} and plays every item as an untracked asset: declare "
                    f'xmlns:adlcp="{ns}" and write adlcp:{name}',
                    manifest.member,
                    element,
                )
            )
    return out


def scorm_schemaversion(manifest: Manifest) -> list[Finding]:
    kind, root = manifest.kind, manifest.root
    found = schemaversion(root)
    at = root.find(f"{manifest.cp('metadata')}/{manifest.cp('schemaversion')}")
    if kind.family == "scorm12":
        if found is None:
            message = "no metadata/schemaversion; add <schemaversion>1.2</schemaversion> to <metadata>"
            return [warning("schemaversion", message, manifest.member, root)]
        if found != "1.2":
            message = f"schemaversion is {found!r}; SCORM 1.2 needs exactly '1.2' (Moodle compares the text)"
            return [error("schemaversion", message, manifest.member, at)]
        return []
    if found in SCORM_2004_EDITIONS:
        return []
    shown = "missing" if found is None else repr(found)
    message = (
        f"schemaversion is {shown}; Moodle recognises SCORM 2004 only by the exact text '2004 4th Edition' "
        "('2004 3rd Edition', 'CAM 1.3') and otherwise runs the package as SCORM 1.2, where its SCOs "
        "find no API_1484_11 and record nothing: write <schemaversion>2004 4th Edition</schemaversion>"
    )
    return [error("schemaversion", message, manifest.member, at if at is not None else root)]


def risky_file_names(manifest: Manifest, names: Iterable[str]) -> list[Finding]:
    risky = sorted(name for name in names if RISKY_NAME_CHARS & set(name))
    if not risky:
        return []
    shown = ", ".join(repr(n) for n in risky[:5]) + (f" and {len(risky) - 5} more" if len(risky) > 5 else "")
    message = f"file names with : & ' \" or | break links in Moodle's SCORM player: rename {shown}"
    return [warning("risky-file-name", message, manifest.member)]


def cc_checks(manifest: Manifest) -> list[Finding]:
    kind, root = manifest.kind, manifest.root
    out = []
    if kind.version in MOODLE_CC_NEEDLE:
        if not moodle_detects_cc(manifest.data, kind.version):
            out.append(
                error(
                    "moodle-cc-detection",
                    f"Moodle will not recognise this as a Common Cartridge {kind.version}: it looks for "
                    f'xmlns="{kind.namespace}" (the default namespace, no prefix) in the first 1024 bytes '
                    "of imsmanifest.xml; declare it on <manifest> and keep anything before <manifest> short",
                    manifest.member,
                    root,
                )
            )
    else:
        out.append(
            warning(
                "moodle-cc-version",
                f"Moodle imports Common Cartridge 1.0 and 1.1 only and refuses CC {kind.version} "
                "(Canvas, Brightspace and Sakai take it); for Moodle use a CC 1.1 cartridge",
                manifest.member,
                root,
            )
        )
    if kind.version == "1.0":
        out.append(
            warning(
                "cc10",
                "Open edX cannot import CC 1.0, and Moodle loses the URL of spec-conformant CC 1.0 web "
                "links; use CC 1.1 where you can",
                manifest.member,
                root,
            )
        )
    if kind.schema_set is None:
        expected = f"{kind.version}.0"
        found = schemaversion(root)
        if found != expected:
            at = root.find(f"{manifest.cp('metadata')}/{manifest.cp('schemaversion')}")
            message = f"schemaversion is {found!r}; a CC {kind.version} cartridge needs exactly {expected!r}"
            out.append(error("schemaversion", message, manifest.member, at if at is not None else root))
    return out
