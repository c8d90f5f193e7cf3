"""Refusals of uploads. Each reason has its own Portuguese text; `{name}` is the sanitised file name.

static/js/dropzone.js shows the same texts for its pre-check: they reach it through the data
attributes the drop zone template writes (attachments/templatetags/attachments_tags.py).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

ALLOWED_LIST = "JPEG, JPG, MP4, OFX, PDF, PNG, TXT"

TOO_MANY_FILES = gettext_noop("Envie no máximo {limit} arquivos por vez.")
TOO_BIG = gettext_noop("“{name}”: o arquivo excede 2MB, o tamanho máximo permitido.")
EMPTY = gettext_noop("“{name}”: o arquivo está vazio.")
NAME_MISSING = gettext_noop("Um dos arquivos não tem nome. Renomeie-o e tente novamente.")
NAME_INCOMPLETE = gettext_noop("“{name}”: falta o nome do arquivo antes da extensão.")
TYPE_NOT_ALLOWED = gettext_noop(
    "“{name}”: tipo de arquivo não permitido. As seguintes extensões são permitidas: "
    "JPEG, JPG, MP4, OFX, PDF, PNG, TXT."
)
DOUBLE_EXTENSION = gettext_noop("“{name}”: o nome do arquivo deve ter uma única extensão (por exemplo, relatorio.pdf).")
CONTENT_MISMATCH = gettext_noop("“{name}”: o conteúdo do arquivo não corresponde à extensão .{ext}.")
CONTENT_FORBIDDEN = gettext_noop("“{name}”: o conteúdo é {kind}, que não é permitido (qualquer que seja a extensão).")
NOT_OFX = gettext_noop(
    "“{name}”: o arquivo não é um extrato OFX válido "
    '(falta o cabeçalho OFXHEADER:100 ou <?OFX OFXHEADER="200" ...?> e o bloco <OFX>).'
)
IMAGE_DAMAGED = gettext_noop("“{name}”: a imagem está danificada ou incompleta.")
IMAGE_TOO_LARGE = gettext_noop("“{name}”: a imagem tem pixels demais (máximo de {megapixels} megapixels).")
VIDEO_DAMAGED = gettext_noop("“{name}”: o vídeo MP4 está danificado ou incompleto.")
REQUEST_TOO_BIG = gettext_noop("O envio é grande demais: envie no máximo {limit} arquivos de até 2MB por vez.")
IMAGES_TOO_MANY_PIXELS = _(
    "“{name}”: as imagens deste envio somam pixels demais (máximo de {megapixels} megapixels por envio). "
    "Envie as imagens restantes em outra mensagem."
)

#: What a forbidden content is called in CONTENT_FORBIDDEN.
KIND_EXECUTABLE = gettext_noop("um programa executável")
KIND_ARCHIVE = gettext_noop("um arquivo compactado")
KIND_HTML = gettext_noop("uma página HTML")
KIND_SVG = gettext_noop("uma imagem SVG")
KIND_SCRIPT = gettext_noop("um script")


class AttachmentRejected(ApplicationError):
    """A file refused before anything is kept; the message names the file and the reason."""

    code = "attachment"
