"""Privacy work that reaches Prefect: erasing a person from every store, the Prefect artifacts
included (`erasure.py`, the one service the API and the CLI call; `artifacts.py`)."""
