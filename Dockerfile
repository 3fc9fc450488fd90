# The production image: gunicorn serves the site, the same image runs Celery.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 hoshii

COPY requirements/run.txt requirements/run.txt
RUN pip install -r requirements/run.txt

COPY . .
# Translations are compiled here (.mo files are not in git); gettext is only
# needed for that, so it leaves again in the same layer.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://build \
    ALLOWED_HOSTS=build CALLBACKS_DIALER=callbacks.dialers.ConsoleDialer \
    SHOP_PAYMENT_PROVIDER=shop.payments.TestPaymentProvider \
    python manage.py compilemessages --ignore=node_modules \
    && apt-get purge -y --auto-remove gettext && rm -rf /var/lib/apt/lists/*
# collectstatic only reads settings; these throwaway values never reach runtime.
RUN SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://build \
    ALLOWED_HOSTS=build CALLBACKS_DIALER=callbacks.dialers.ConsoleDialer \
    SHOP_PAYMENT_PROVIDER=shop.payments.TestPaymentProvider \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/var/exports /app/var/metrics \
    && chown -R hoshii /app/media /app/var

USER hoshii
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.py"]
