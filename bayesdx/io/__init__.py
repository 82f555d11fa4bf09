"""Reading and writing files: YAML networks, foreign formats (BIF, XMLBIF, XDSL, Hugin NET,
GeNIe DSL, UAI) with bayesdx's own readers, case files, the
case library, the registry of bundled networks, and atomic outputs."""

from __future__ import annotations

from bayesdx.io._case import (
    read_case,
)
from bayesdx.io._cohort import (
    NO,
    YES,
    Outcome,
    cohort_hash,
    read_cohort,
    read_outcome,
)
from bayesdx.io._interop import (
    from_pyagrum,
    to_networkx,
    to_pyagrum,
)
from bayesdx.io._library import (
    Case,
    default_cases_path,
    load_cases,
    readable_findings,
)
from bayesdx.io._load import (
    load_network,
)
from bayesdx.io._network_doc import (
    entry_rows,
    network_markdown,
)
from bayesdx.io._outputs import (
    atomic_output,
    check_output,
    same_file,
)
from bayesdx.io._pgmpy import (
    EXPORT_FORMATS,
    check_model,
    to_pgmpy,
    variable_elimination,
    ve_engine,
    write_model,
)
from bayesdx.io._readers import (
    READERS,
    read_model,
)
from bayesdx.io._registry import (
    IMPORT_SUFFIXES,
    YAML_SUFFIXES,
    bundled_networks,
    bundled_path,
    package_data,
    resolve,
)
from bayesdx.io._writers import (
    EXPORT_SUFFIXES,
    ExportResult,
    check_export_suffix,
    export_notes,
    export_text,
)
from bayesdx.io._yaml import (
    load_spec,
    read_text,
    read_yaml,
)

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_SUFFIXES",
    "IMPORT_SUFFIXES",
    "NO",
    "READERS",
    "YAML_SUFFIXES",
    "YES",
    "Case",
    "ExportResult",
    "Outcome",
    "atomic_output",
    "bundled_networks",
    "bundled_path",
    "check_export_suffix",
    "check_model",
    "check_output",
    "cohort_hash",
    "default_cases_path",
    "entry_rows",
    "export_notes",
    "export_text",
    "from_pyagrum",
    "load_cases",
    "load_network",
    "load_spec",
    "network_markdown",
    "package_data",
    "read_case",
    "read_cohort",
    "read_model",
    "read_outcome",
    "read_text",
    "read_yaml",
    "readable_findings",
    "resolve",
    "same_file",
    "to_networkx",
    "to_pgmpy",
    "to_pyagrum",
    "variable_elimination",
    "ve_engine",
    "write_model",
]
