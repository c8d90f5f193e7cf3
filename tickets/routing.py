from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/toolbar/", consumers.ToolbarConsumer.as_asgi()),
    path("ws/tickets/<int:number>/", consumers.ConversationConsumer.as_asgi()),
    path("ws/queue/", consumers.QueueConsumer.as_asgi()),
]
