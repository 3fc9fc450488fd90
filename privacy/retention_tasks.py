"""The scheduled retention run (``CELERY_BEAT_SCHEDULE``'s
"purge-expired-personal-data"): thin, and safe to run twice."""

from celery import shared_task

from privacy import retention


@shared_task(acks_late=True)
def purge_expired_personal_data() -> dict[str, int]:
    """Remove what is past its retention window; returns the counts."""
    return retention.purge_expired_personal_data()
