"""The station agent: joins a packing station's scanner, scale and printer to the service."""
