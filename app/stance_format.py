"""Stance annotations as stored and exchanged (see docs/stance-format.md).

No Qt here: this module is used by the importer, the exporter and the UI alike.
"""

from __future__ import annotations

STANCE_LAYER = "stance"
DOC_STANCE_LAYER = "doc_stance"

#: Polarities of a span stance.
POLARITIES = ("FAVOR", "AGAINST", "NEUTRAL")
#: Polarities of a document stance; NONE means "not addressed", chosen explicitly.
DOC_POLARITIES = POLARITIES + ("NONE",)
