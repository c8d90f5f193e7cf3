"""What the journeys do again and again, written once: real files, a real drop, a ticket opened by hand."""

import base64
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect

from tests.attachments import samples

MODULE = "Nota Fiscal Eletrônica Web"
WAITING = "Aguarde! Em breve seu atendimento será realizado!"
LEAVE = (
    "Caso você feche o atendimento agora, você será notificado dentro do próprio sistema "
    "toda vez que o Call-Center da IPM lhe enviar uma mensagem."
)
FILES_ADDED = "O usuário adicionou anexos ao atendimento."
CONCLUDED_BY_USER = "* Chat Concluído pelo Usuário!"
TICKET_URL = re.compile(r"/chat/atendimentos/(\d+)/$")


def png_bytes(color: str = "seagreen", size: tuple[int, int] = (64, 40)) -> bytes:
    return samples.png(size=size, color=color)


def pdf_bytes(title: str = "Nota fiscal") -> bytes:
    """A one-page PDF that real readers and the validator accept; the title makes each file distinct."""
    return samples.pdf(note=title)


def drop_files(page: Page, files: dict[str, tuple[bytes, str]], zone: str = "[data-dropzone]") -> None:
    """Drop files on the drop zone the way a browser does: a `drop` event whose DataTransfer holds File objects.

    The File objects are built inside the page from the bytes, so what dropzone.js receives is what a
    drag from the desktop gives it (Playwright cannot drag files from outside the page).
    """
    payload = [
        {"name": name, "type": kind, "data": base64.b64encode(data).decode()} for name, (data, kind) in files.items()
    ]
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const file of files) {
                const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], file.name, { type: file.type }));
            }
            return transfer;
        }""",
        payload,
    )
    target = page.locator(zone).first
    target.dispatch_event("dragenter", {"dataTransfer": transfer})
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})


def open_new_ticket(page: Page, reason: str, files: dict[str, tuple[bytes, str]] | None = None) -> int:
    """From any staff page: "Novo Atendimento", the module, the reason, the files, "Enviar"; the ticket's number."""
    page.goto("/chat/novo/")
    page.get_by_label("Módulo:").select_option(label=MODULE)
    page.get_by_label("Digite o motivo do atendimento:").fill(reason)
    if files:
        drop_files(page, files)
        expect(page.locator(".dropzone-file-name")).to_have_count(len(files))
    page.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_url(TICKET_URL)
    return int(TICKET_URL.search(page.url).group(1))


def take_ticket(page: Page, number: int) -> None:
    """The attendant opens the ticket from the admin and assumes it."""
    page.goto(f"/admin/tickets/ticket/{number}/change/")
    page.get_by_role("button", name="Assumir atendimento").click()
    expect(page.locator("#message-form")).to_be_visible()


def reply_as_attendant(page: Page, text: str, files: dict[str, tuple[bytes, str]] | None = None) -> None:
    """On the admin conversation: types, drops files, "Enviar"; waits for the page to show the text."""
    page.get_by_label("Mensagem:").fill(text)
    if files:
        drop_files(page, files)
        expect(page.locator(".dropzone-file-name")).to_have_count(len(files))
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.locator("#dialog")).to_contain_text(text)


def badge_count(page: Page) -> int:
    """The red badge's number, 0 when it is hidden."""
    badge = page.locator("#chat-badge")
    return 0 if badge.is_hidden() else int(badge.inner_text())


class SocketFrames:
    """The frames a page's websockets received, by type: to wait until a socket has joined its group."""

    def __init__(self, page: Page, path: str) -> None:
        self.page = page
        self.path = path
        self.types: list[str] = []

    def _on_socket(self, socket) -> None:
        if socket.url.endswith(self.path):
            socket.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        try:
            self.types.append(json.loads(payload).get("type", ""))
        except (TypeError, ValueError, AttributeError):
            self.types.append("")

    def wait_for(self, frame_type: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while frame_type not in self.types:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {frame_type!r} frame on {self.path} (got {self.types})")
            # Lets Playwright deliver the page's events to the listeners above.
            self.page.wait_for_timeout(20)


@contextmanager
def live_sockets(page: Page, path: str) -> Iterator[SocketFrames]:
    """Listen to the page's sockets ending in `path` while the block navigates; the server says hello
    only after it joined the group, so after `wait_for("hello")` no event can be missed."""
    frames = SocketFrames(page, path)
    page.on("websocket", frames._on_socket)
    try:
        yield frames
    finally:
        page.remove_listener("websocket", frames._on_socket)
