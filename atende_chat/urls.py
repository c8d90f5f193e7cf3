from django.contrib import admin
from django.urls import include, path

from atende_chat import health, metrics
from people import views as people_views
from routing import views as routing_views
from tickets import views as tickets_views

urlpatterns = [
    path("", people_views.home, name="home"),
    path("accounts/login/", people_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", people_views.logout_view, name="logout"),
    path("cadastro/", people_views.registration, name="person-registration"),
    path("cadastro/reenviar-confirmacao/", people_views.email_resend, name="email-resend"),
    path("cadastro/confirmar-email/<str:token>/", people_views.email_confirm, name="email-confirm"),
    path("chat/meus-dados/aviso-email/", routing_views.notice_preference, name="chat-notice-preference"),
    path("chat/avaliacao/", include("csat.urls")),
    path("chat/", include("tickets.urls")),
    path("anexos/", include("attachments.urls")),
    path("admin/relatorios/", include("reports.urls")),
    path("privacidade/", include("privacy.urls")),
    path("admin/", admin.site.urls),
    # For the load balancer and the compose health checks (anonymous), and for Prometheus (operators).
    path("saude/", health.health, name="health"),
    path("metrics", metrics.metrics, name="metrics"),
    # The language switch keeps the choice on the account; it answers at Django's own set_language URL.
    path("i18n/setlang/", people_views.language_set, name="set_language"),
    path("i18n/js/", tickets_views.javascript_catalog, name="javascript-catalog"),
    path("i18n/", include("django.conf.urls.i18n")),
]
