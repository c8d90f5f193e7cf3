from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/espera/", consumers.WaitConsumer.as_asgi()),
    path("ws/roteamento/", consumers.AttendantConsumer.as_asgi()),
]
