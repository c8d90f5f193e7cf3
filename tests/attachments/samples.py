"""Small real files, good and bad, made here so every test says what it feeds in."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

ONE_MB = 1024 * 1024


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


class NamedUpload(io.BytesIO):
    """A file object whose name is taken as given: UploadedFile would strip path parts itself."""

    def __init__(self, name: str, content: bytes) -> None:
        super().__init__(content)
        self.name = name
        self.size = len(content)


def png(size: tuple[int, int] = (8, 6), color: str = "green", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **save)
    return out.getvalue()


def png_with_text(key: str, value: str) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return png(pnginfo=info)


def jpeg(size: tuple[int, int] = (8, 6), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def exif_with_gps() -> bytes:
    """EXIF with a camera make, an orientation and a GPS position (Rio do Sul, SC)."""
    exif = Image.Exif()
    exif[0x010F] = "CameraDeTeste"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (27.0, 12.0, 52.0)
    gps[3] = "W"
    gps[4] = (49.0, 38.0, 35.0)
    return exif.tobytes()


def pdf(note: str = "") -> bytes:
    """A one-page PDF with a correct cross-reference table; `note` (a PDF comment) makes distinct files."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
    if note:
        page += b" % " + note.encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page,
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def box(box_type: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + box_type + payload


def mp4() -> bytes:
    """An ISO BMFF container: ftyp (isom, mp41), an empty moov and a small mdat."""
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = box(b"mvhd", bytes(100))
    return ftyp + box(b"moov", mvhd) + box(b"mdat", bytes(32))


OFX_SGML = (
    b"OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n"
    b"CHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
    b"<OFX>\r\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
    b"<DTSERVER>20170110120000<LANGUAGE>POR</SONRS></SIGNONMSGSRSV1>\r\n"
    b"<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL<BANKTRANLIST><STMTTRN><TRNTYPE>DEBIT"
    b"<TRNAMT>-150.00<MEMO>Pagamento \xe0 vista</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1>\r\n"
    b"</OFX>\r\n"
)
OFX_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    b'<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
    b"<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
    b"<DTSERVER>20170110120000</DTSERVER><LANGUAGE>POR</LANGUAGE></SONRS></SIGNONMSGSRSV1></OFX>\n"
)
TXT_UTF8 = "Relatório de notas fiscais emitidas em janeiro.\nMunicípio: Rio do Sul – SC\n".encode()
TXT_LATIN1 = "Relatório de ação fiscal\r\nSituação: concluído\r\n".encode("latin-1")


def elf() -> bytes:
    """The 64-byte header of an x86-64 Linux executable, and some code bytes."""
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    header = struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    return ident + header + b"\x48\x31\xc0\xc3" * 16


def pe() -> bytes:
    """A Windows PE: MZ stub pointing at a PE header."""
    stub = b"MZ" + b"\x90" * 58 + struct.pack("<I", 64)
    coff = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 224, 0x102)
    return stub + coff + bytes(224)


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("leia-me.txt", "conteúdo")
    return out.getvalue()


HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>\n'
SHELL = b"#!/bin/sh\nrm -rf ~\n"


def _png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit PNG of `width` x `height` black pixels: a few KB that decode to width*height pixels."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")
