"""Thermal label printing: waybill model and validation, one layout per label size, outputs
(PDF, PNG, ESC/POS, ZPL, TSPL), transports (serial, TCP, file, memory) and printer status.

Entry points: `printing.waybill.Waybill.from_dict`, `printing.render.render`,
`printing.printer.print_label` / `Printer`, `printing.transports.open_transport`,
`printing.status.printer_status`.
"""
