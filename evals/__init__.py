"""The eval suites (data) and their harness; installed as `helper.evals` (see pyproject.toml)."""
