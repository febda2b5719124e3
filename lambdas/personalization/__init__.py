"""Code shared by every Lambda function, in layers: contracts, http, usecases, adapters."""
