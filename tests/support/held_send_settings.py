"""The product's settings plus the tests' hold of one send (tests/support/held_send.py); tests only."""

from atende_chat.settings import *  # noqa: F403
from atende_chat.settings import MIDDLEWARE

MIDDLEWARE = [*MIDDLEWARE, "tests.support.held_send.HoldFirstSendAfterTheView"]
