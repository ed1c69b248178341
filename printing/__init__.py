"""Thermal label printing: waybill model and validation, one layout per label size, outputs
(PDF, PNG, ESC/POS, ZPL, TSPL), transports (serial, TCP, file, memory) and printer status.

From the bottom up: `barcodes` and `fonts`; `sizes` (label sizes, dpis, formats, each
size's slots, the barcode-fit check and `WaybillError`); `waybill` (the model; its recipient
is `wms.domain.orders.Recipient`); `layout` (the slots filled and fitted); `raster` and
`render` (the outputs); `transports`, `status` and `printer`. `picklist` draws pick lists.

Entry points: `printing.waybill.Waybill.from_dict`, `printing.render.render`,
`printing.printer.print_label` / `Printer`, `printing.transports.open_transport`,
`printing.status.printer_status`.
"""
