"""The Celery app. Broker: Redis when REDIS_URL is set; otherwise tasks run inline (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atende_chat.settings")

app = Celery("atende_chat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
