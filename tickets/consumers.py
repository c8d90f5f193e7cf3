"""Websocket consumers: a person's toolbar, an open conversation, the attendants' queue."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ToolbarConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.close(code=4403)


class ConversationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.close(code=4403)


class QueueConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.close(code=4403)
