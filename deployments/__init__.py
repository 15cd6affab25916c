"""How flows run: the local executor, deployments, schedules and the stack launcher."""
