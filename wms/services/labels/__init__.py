"""Labels: what goes on a waybill and how it reaches a printer.

- `waybills`: a parcel's electronic waybill, built from the order and the parcel;
- `print_queue`: the durable print queue (jobs wait in the database for a printer);
- `print_worker`: sends queued waybills to the printers the service reaches itself.
"""
