"""Expensive work only after cheap checks (issue 15, point 8).

Threat: a flood of requests, each carrying an image that is small on the wire and huge in memory
(a decompression bomb), makes the server decode pixels for requests it refuses anyway, or a single
request with many large photos decodes gigabytes. The rate limit is checked before any file is
looked at; an image's size is read from its header and refused before decoding; the pixels decoded
per request, all images together, are bounded.
"""

import time

import pytest
from django.utils import timezone

from attachments import errors as attachment_errors
from attachments.models import Attachment
from tests.attachments.samples import png, png_bomb, upload
from tests.conftest import login
from tickets import errors
from tickets.models import Message


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def fresh_minute():
    """The rate counter is per clock minute: start well inside one (listed first, so that the ticket's
    opening, which counts, falls in the same minute as the sends; a full run once opened it at :5x)."""
    second = timezone.now().second
    if second >= 50:
        time.sleep(60.5 - second)


def bomb_upload(width: int, height: int, name: str = "tela.png"):
    return upload(name, png_bomb(width, height), "image/png")


@pytest.mark.django_db
def test_over_the_rate_limit_an_image_is_refused_by_the_limit_before_it_is_decoded(
    fresh_minute, settings, person_client, ticket, other_person
):
    """A 6000x6000 image (36 megapixels, a few KB on the wire) that the server does decode when it may.

    Over the limit, the answer is the limit's 429 and not any image verdict: the rate check ran first.
    """
    settings.MESSAGE_RATE_LIMIT = 2
    url = f"/chat/atendimentos/{ticket.number}/"
    assert person_client.post(url, {"body": "primeira"}).status_code == 302  # the opening was the first
    response = person_client.post(url, {"files": [bomb_upload(6000, 6000)]})
    assert response.status_code == 429
    assert errors.RATE_LIMITED in response.content.decode()
    assert not Attachment.objects.exists()
    # The same file from someone under the limit is decoded, re-encoded and kept: it was a real image.
    settings.MESSAGE_RATE_LIMIT = 30
    other = login(type(person_client)(), other_person.user)
    response = other.post(
        "/chat/novo/", {"module": ticket.module_id, "reason": "Tela", "files": [bomb_upload(6000, 6000)]}
    )
    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "image/png"


@pytest.mark.django_db
@pytest.mark.parametrize(("width", "height"), [(7000, 7000), (60000, 60000)])
def test_an_image_over_the_pixel_limit_is_refused_from_its_header(person_client, ticket, width, height):
    """49 megapixels (over our 40, under Pillow's own warning) and 3.6 gigapixels (3.6 GB once decoded)."""
    started = time.monotonic()
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"files": [bomb_upload(width, height)]})
    assert response.status_code == 400
    expected = attachment_errors.IMAGE_TOO_LARGE.format(name="tela.png", megapixels=40)
    assert expected in response.content.decode()
    assert not Attachment.objects.exists() and ticket.messages.count() == 1
    # Refused from the header: far below the time (and memory) decoding 49M or 3.6G pixels takes.
    assert time.monotonic() - started < 30


@pytest.mark.django_db
def test_the_pixels_decoded_per_request_are_bounded(settings, person_client, ticket):
    settings.ATTACHMENT_MAX_PIXELS_PER_REQUEST = 2_500_000

    def photos(count: int) -> list:
        return [upload(f"foto-{i}.png", png((1000, 1000)), "image/png") for i in range(count)]

    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "Fotos", "files": photos(3)})
    assert response.status_code == 400
    page = response.content.decode()
    message = attachment_errors.IMAGES_TOO_MANY_PIXELS.format(name="foto-2.png", megapixels=2)
    assert message.split("\u201d: ")[1] in page and "foto-2.png" in page
    assert not Attachment.objects.exists()
    assert not Message.objects.filter(body="Fotos").exists()
    # Two of them fit the budget.
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"files": photos(2)})
    assert response.status_code == 302
    assert Attachment.objects.count() == 2


def test_the_default_budget_is_two_photos_at_the_per_image_limit(settings):
    assert settings.ATTACHMENT_MAX_PIXELS_PER_REQUEST == 2 * settings.ATTACHMENT_MAX_PIXELS
