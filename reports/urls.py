"""Mounted under admin/relatorios/ (before the admin's own URLs), each view behind the admin's login."""

from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("", admin.site.admin_view(views.report_page), name="reports"),
    path("csv/<slug:table>/", admin.site.admin_view(views.report_csv), name="reports-csv"),
    path("meu-dia/", admin.site.admin_view(views.attendant_page), name="reports-my-day"),
]
