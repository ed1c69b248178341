"""The 奇门 (Qimen) WMS interface's adapter: the wire format (`protocol`) and the calls back to
a seller's ERP (`client`). The endpoint is `wms.api.qimen`; what each method does to the
warehouse is `wms.services.qimen`."""
