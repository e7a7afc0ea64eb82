"""Reading and writing files: data files in, entry sheets and atomic writes out.

Readers for delimited text, Excel, Parquet and SPSS files (within limits on what a file may
ask of memory), the mapping of a file's headers
to a data source's columns (survey-tool exports included), empty entry templates with a
codebook, XLSForms for survey tools, Frictionless Data Package descriptors of the tables
written, CSV and Excel tables that a spreadsheet cannot run as formulas, and writes that
replace a file whole or not at all.
"""

from getting_to_outcomes.io._atomic import (
    PARTIAL_PREFIX,
    replacing_folder,
    write_atomic,
    write_bytes_atomic,
    write_folder_atomic,
)
from getting_to_outcomes.io._datapackage import (
    DATA_PACKAGE,
    DATA_PACKAGE_PROFILE,
    data_package,
    source_schema,
    table_resource,
    table_schema,
    write_data_package,
)
from getting_to_outcomes.io._headers import (
    TOOL_METADATA,
    HeaderIndex,
    HeaderMap,
    column_letter,
    header_key,
    join_options,
    map_headers,
    tool_of,
)
from getting_to_outcomes.io._limits import LIMIT_VARIABLES, ReadLimits
from getting_to_outcomes.io._readers import (
    CHUNK_BYTES,
    MAX_CELL_CHARS,
    READ_ATTRS,
    RawTable,
    ReadNote,
    frame_table,
    read_raw,
    read_raw_chunks,
    read_table,
)
from getting_to_outcomes.io._tables import (
    FORMULA_START,
    TABLE_FORMATS,
    csv_text,
    neutralise_formulas,
    sheet_names,
    write_table,
)
from getting_to_outcomes.io._templates import CODEBOOK_COLUMNS, codebook, write_template
from getting_to_outcomes.io._xlsform import XLSFORM_LANGUAGE, write_xlsform, xlsform

__all__ = [
    "CHUNK_BYTES",
    "CODEBOOK_COLUMNS",
    "DATA_PACKAGE",
    "DATA_PACKAGE_PROFILE",
    "FORMULA_START",
    "LIMIT_VARIABLES",
    "MAX_CELL_CHARS",
    "PARTIAL_PREFIX",
    "READ_ATTRS",
    "TABLE_FORMATS",
    "TOOL_METADATA",
    "XLSFORM_LANGUAGE",
    "HeaderIndex",
    "HeaderMap",
    "RawTable",
    "ReadLimits",
    "ReadNote",
    "codebook",
    "column_letter",
    "csv_text",
    "data_package",
    "frame_table",
    "header_key",
    "join_options",
    "map_headers",
    "neutralise_formulas",
    "read_raw",
    "read_raw_chunks",
    "read_table",
    "replacing_folder",
    "sheet_names",
    "source_schema",
    "table_resource",
    "table_schema",
    "tool_of",
    "write_atomic",
    "write_bytes_atomic",
    "write_data_package",
    "write_folder_atomic",
    "write_table",
    "write_template",
    "write_xlsform",
    "xlsform",
]
