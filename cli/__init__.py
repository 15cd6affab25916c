"""The `leadmill` command line: thin layers over the stores, the stack and the API."""
