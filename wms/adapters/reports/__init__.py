"""PDF reports: `evidence_pdf` (a parcel's weight evidence) and `manifest_pdf` (the handover manifest)."""
