"""Scheduled outbound phone calls: a state machine, Celery tasks, dialer
backends (twilio / console / locmem) and Twilio's webhooks.

It knows nothing of why a call is made: it dials a number, speaks a short
script, puts the caller in a queue, and announces every state change with
``callbacks.signals.callback_changed``.
"""
