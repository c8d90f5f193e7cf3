"""Any screen (issue 13, point 8): every staff page and the open panel fit a 390×844 phone with nothing
clipped or out of reach; the admin conversation works at 768 px.

A control is out of reach when its box leaves the viewport sideways, or is cut by an ancestor that hides
its overflow. A control inside a region that scrolls sideways (a wide table) counts as reachable when the
region itself is inside the viewport and takes the keyboard focus (it can be scrolled without a mouse).
"""

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in
from .helpers import open_new_ticket, pdf_bytes, png_bytes, reply_as_attendant, take_ticket

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}

OUT_OF_REACH = """
(viewportWidth) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"]), [role=button]';
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
  const scrollsSideways = (el) => {
    const style = getComputedStyle(el);
    return (style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1;
  };
  const hidesOverflow = (el) => ['hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  if (document.documentElement.scrollWidth > viewportWidth + 1) {
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + 'px');
  }
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('[hidden], dialog:not([open])')) continue;
    let region = null;
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      if (!region && scrollsSideways(up)) { region = up; break; }
      if (hidesOverflow(up)) {
        const frame = up.getBoundingClientRect();
        // A visually-hidden label (1px, clipped on purpose) is not a control anyone sees.
        if (box.width > 2 && (box.left < frame.left - 0.5 || box.right > frame.right + 0.5)) clipped = true;
      }
    }
    if (clipped) problems.push('clipped: ' + name(el));
    const outer = region ? region.getBoundingClientRect() : box;
    if (outer.left < -0.5 || outer.right > viewportWidth + 0.5) {
      const where = Math.round(outer.left) + '..' + Math.round(outer.right);
      problems.push('outside the viewport (' + where + '): ' + name(el));
    }
    if (region && region.tabIndex < 0) problems.push('in a sideways region without keyboard focus: ' + name(el));
  }
  return Array.from(new Set(problems));
}
"""


def out_of_reach(page: Page, width: int) -> list[str]:
    return page.evaluate(OUT_OF_REACH, width)


@pytest.fixture(scope="module")
def numbers(browser, stack) -> dict:
    """A conversation with an answer and files, as the pages show them with data."""
    context = browser.new_context(base_url=stack.base_url, locale="pt-BR")
    context.set_default_timeout(15_000)
    servidor = log_in(context.new_page(), "servidor")
    number = open_new_ticket(
        servidor,
        "Erro ao transmitir a nota fiscal de serviço número 20261202 para a Receita Federal.",
        files={"tela-do-erro-com-nome-longo.png": (png_bytes(), "image/png")},
    )
    attendant_context = browser.new_context(base_url=stack.base_url, locale="pt-BR")
    attendant_context.set_default_timeout(15_000)
    attendant = log_in(attendant_context.new_page(), "atendente")
    take_ticket(attendant, number)
    reply_as_attendant(
        attendant,
        "Bom dia! Segue o manual com o passo a passo para a transmissão.",
        files={"manual-de-transmissao-da-nota.pdf": (pdf_bytes("Manual"), "application/pdf")},
    )
    attendant_context.close()
    context.close()
    return {"answered": number}


STAFF_PAGES = [
    "/",
    "/cadastro/",
    "/chat/",
    "/chat/novo/",
    "/chat/meus-dados/",
    "/chat/atendimento-on-line/",
    "/chat/atendimentos/{answered}/",
    "/chat/atendimentos/{answered}/informacoes/",
]


@pytest.fixture
def phone_page(new_context) -> Page:
    return log_in(new_context(viewport=PHONE).new_page(), "servidor")


def test_every_staff_page_fits_a_phone(phone_page, numbers):
    problems = {}
    for path in STAFF_PAGES:
        phone_page.goto(path.format(**numbers))
        phone_page.wait_for_load_state("networkidle")
        found = out_of_reach(phone_page, PHONE["width"])
        if found:
            problems[path] = found
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_the_login_page_fits_a_phone(new_context):
    page = new_context(viewport=PHONE).new_page()
    page.goto("/accounts/login/")
    assert out_of_reach(page, PHONE["width"]) == []


def test_the_open_panel_fits_a_phone(phone_page, numbers):
    phone_page.goto("/")
    phone_page.locator("#chat-icon").click()
    panel = phone_page.locator("#chat-panel")
    expect(panel.get_by_role("heading", name="ATENDIMENTO ON-LINE")).to_be_visible()
    expect(panel.locator("[data-open-chat]")).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    assert out_of_reach(phone_page, PHONE["width"]) == []
    # Every column of the list is there and readable.
    header = panel.locator("thead th")
    expect(header).to_have_text(["Código", "Situação", "Data Abertura"])
    for cell in panel.locator("tbody tr").first.locator("td").all():
        cell_box = cell.bounding_box()
        assert cell_box["x"] >= box["x"] and cell_box["x"] + cell_box["width"] <= box["x"] + box["width"] + 0.5


def test_the_admin_conversation_works_at_768_px(new_context, numbers):
    page = log_in(new_context(viewport=TABLET).new_page(), "atendente")
    page.goto(f"/admin/tickets/ticket/{numbers['answered']}/change/")
    expect(page.locator("#dialog")).to_contain_text("Segue o manual")
    assert out_of_reach(page, TABLET["width"]) == []
    # The reply box and the side forms are usable: a reply goes through at this width.
    reply_as_attendant(page, "Resposta enviada numa tela de 768 px.")
    expect(page.get_by_label("Nova situação")).to_be_visible()
    assert out_of_reach(page, TABLET["width"]) == []
