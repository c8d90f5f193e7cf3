"""Atende Chat: the on-line support chat between Atende.Net staff and IPM's attendants."""

from .celery import app as celery_app

__all__ = ("celery_app",)
