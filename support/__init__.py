"""Support cases and the agents' admin. Built by the support issue."""
