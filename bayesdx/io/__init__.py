"""Reading and writing files: YAML networks, foreign formats (BIF, XMLBIF, XDSL, Hugin NET,
GeNIe DSL, UAI) with bayesdx's own readers, case files, the
case library, the registry of bundled networks, and atomic outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
    from bayesdx.io._cache import (
        code_folder,
    )
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

_LAZY = {
    "code_folder": "bayesdx.io._cache",
    "read_case": "bayesdx.io._case",
    "NO": "bayesdx.io._cohort",
    "YES": "bayesdx.io._cohort",
    "Outcome": "bayesdx.io._cohort",
    "cohort_hash": "bayesdx.io._cohort",
    "read_cohort": "bayesdx.io._cohort",
    "read_outcome": "bayesdx.io._cohort",
    "from_pyagrum": "bayesdx.io._interop",
    "to_networkx": "bayesdx.io._interop",
    "to_pyagrum": "bayesdx.io._interop",
    "Case": "bayesdx.io._library",
    "default_cases_path": "bayesdx.io._library",
    "load_cases": "bayesdx.io._library",
    "readable_findings": "bayesdx.io._library",
    "load_network": "bayesdx.io._load",
    "entry_rows": "bayesdx.io._network_doc",
    "network_markdown": "bayesdx.io._network_doc",
    "atomic_output": "bayesdx.io._outputs",
    "check_output": "bayesdx.io._outputs",
    "same_file": "bayesdx.io._outputs",
    "EXPORT_FORMATS": "bayesdx.io._pgmpy",
    "check_model": "bayesdx.io._pgmpy",
    "to_pgmpy": "bayesdx.io._pgmpy",
    "variable_elimination": "bayesdx.io._pgmpy",
    "ve_engine": "bayesdx.io._pgmpy",
    "write_model": "bayesdx.io._pgmpy",
    "READERS": "bayesdx.io._readers",
    "read_model": "bayesdx.io._readers",
    "IMPORT_SUFFIXES": "bayesdx.io._registry",
    "YAML_SUFFIXES": "bayesdx.io._registry",
    "bundled_networks": "bayesdx.io._registry",
    "bundled_path": "bayesdx.io._registry",
    "package_data": "bayesdx.io._registry",
    "resolve": "bayesdx.io._registry",
    "EXPORT_SUFFIXES": "bayesdx.io._writers",
    "ExportResult": "bayesdx.io._writers",
    "check_export_suffix": "bayesdx.io._writers",
    "export_notes": "bayesdx.io._writers",
    "export_text": "bayesdx.io._writers",
    "load_spec": "bayesdx.io._yaml",
    "read_text": "bayesdx.io._yaml",
    "read_yaml": "bayesdx.io._yaml",
}

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
    "code_folder",
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

__getattr__, __dir__ = attach(__name__, _LAZY)
