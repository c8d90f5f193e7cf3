"""The drop zone of S10: its exact texts and markup, and static/js/dropzone.js running in a real Chromium.

The browser test serves the rendered partial and the real script through Playwright's request routing
(the pages that include the partial are written in parallel): what runs is the file in static/js.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape

from attachments import errors

CLICK_TEXT = "Clique aqui para enviar arquivos ou arraste e solte nesta área."
LIMITS_TEXT = (
    "O tamanho máximo do arquivo não deve exceder 2MB. "
    "As seguintes extensões são permitidas: JPEG, JPG, MP4, OFX, PDF, PNG, TXT."
)
ORIGIN = "http://atende.test"


def test_drop_zone_shows_the_s10_texts_and_a_labelled_multiple_file_input():
    html = render_to_string("attachments/_dropzone.html")

    assert CLICK_TEXT in html and LIMITS_TEXT in html
    assert 'type="file" name="files" multiple' in html
    assert 'accept=".jpeg,.jpg,.mp4,.ofx,.pdf,.png,.txt"' in html
    input_id = html.split('class="dropzone-input" id="', 1)[1].split('"', 1)[0]
    assert f'<label class="dropzone-label" for="{input_id}">' in html
    assert f'aria-describedby="{input_id}-limits {input_id}-errors"' in html
    assert 'role="alert"' in html and 'aria-live="polite"' in html
    assert '<script src="/static/js/dropzone.js" defer></script>' in html
    assert "onclick" not in html and "<script>" not in html  # CSP: script-src 'self', no inline code


def test_drop_zone_carries_the_servers_own_messages_for_the_pre_check():
    html = render_to_string("attachments/_dropzone.html")
    for attribute, text in [
        ("data-msg-too-big", errors.TOO_BIG),
        ("data-msg-empty", errors.EMPTY),
        ("data-msg-type", errors.TYPE_NOT_ALLOWED),
        ("data-msg-double", errors.DOUBLE_EXTENSION),
        ("data-msg-incomplete", errors.NAME_INCOMPLETE),
        ("data-msg-too-many", "Envie no máximo 10 arquivos por vez."),
    ]:
        assert f'{attribute}="{escape(text)}"' in html
    assert f'data-max-bytes="{2 * 1024 * 1024}"' in html and 'data-max-files="10"' in html


def test_two_drop_zones_on_one_page_get_distinct_ids():
    first, second = (render_to_string("attachments/_dropzone.html") for _ in range(2))
    assert first.split('id="', 1)[1][:20] != second.split('id="', 1)[1][:20]


@pytest.fixture
def page():
    # Function scope: the shared autouse fixtures reach the database before Playwright's loop starts.
    from playwright.sync_api import sync_playwright

    script = (Path(settings.BASE_DIR) / "static/js/dropzone.js").read_text()
    body = render_to_string("attachments/_dropzone.html")
    document = (
        '<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"></head><body>'
        f'<form enctype="multipart/form-data">{body}</form></body></html>'
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.set_default_timeout(5000)
        page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=document, content_type="text/html; charset=utf-8"))
        page.route(
            f"{ORIGIN}/static/js/dropzone.js",
            lambda route: route.fulfill(body=script, content_type="text/javascript"),
        )
        yield page
        browser.close()


def fresh(page):
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.AtendeDropzone !== undefined")
    return page.get_by_label(CLICK_TEXT)


def file(name, size=10):
    return {"name": name, "mimeType": "application/octet-stream", "buffer": b"x" * size}


def names(page):
    return page.locator(".dropzone-file-name").all_inner_texts()


def errors_shown(page):
    return page.locator("[data-dropzone-errors] p").all_inner_texts()


def input_count(page):
    return page.evaluate("document.querySelector('input[type=file]').files.length")


@pytest.mark.e2e
def test_picked_files_are_listed_and_bad_ones_refused_with_the_server_messages(page):
    picker = fresh(page)
    picker.set_input_files(
        [
            file("foto.png"),
            file("grande.pdf", 2 * 1024 * 1024 + 1),
            file("x.exe.pdf"),
            file("virus.exe"),
            file("vazio.txt", 0),
        ]
    )

    assert names(page) == ["foto.png (10 bytes)"]
    assert input_count(page) == 1
    assert errors_shown(page) == [
        errors.TOO_BIG.format(name="grande.pdf"),
        errors.DOUBLE_EXTENSION.format(name="x.exe.pdf"),
        errors.TYPE_NOT_ALLOWED.format(name="virus.exe"),
        errors.EMPTY.format(name="vazio.txt"),
    ]


@pytest.mark.e2e
def test_dropped_files_join_the_picked_ones_and_can_be_removed_by_keyboard(page):
    picker = fresh(page)
    picker.set_input_files([file("foto.png")])
    page.evaluate(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["%PDF-1.4"], "nota.pdf", {type: "application/pdf"}));
            transfer.items.add(new File(["MZ"], "setup.exe"));
            const zone = document.querySelector("[data-dropzone]");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }"""
    )

    assert names(page) == ["foto.png (10 bytes)", "nota.pdf (8 bytes)"]
    assert input_count(page) == 2
    assert errors_shown(page) == [errors.TYPE_NOT_ALLOWED.format(name="setup.exe")]

    page.get_by_role("button", name="Remover foto.png").focus()
    page.keyboard.press("Enter")
    assert names(page) == ["nota.pdf (8 bytes)"] and input_count(page) == 1
    assert page.evaluate("document.activeElement.type") == "file"


@pytest.mark.e2e
def test_the_picker_is_reached_with_tab_and_more_than_ten_files_are_cut(page):
    fresh(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "files"

    page.get_by_label(CLICK_TEXT).set_input_files([file(f"f{i}.txt") for i in range(11)])
    assert input_count(page) == 10
    assert errors_shown(page) == ["Envie no máximo 10 arquivos por vez."]
