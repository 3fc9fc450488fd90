"""Scheduled outbound phone calls. Built by the callbacks issue."""
