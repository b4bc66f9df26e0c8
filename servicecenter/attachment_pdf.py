"""Checking an uploaded PDF (a signed act, a document) by its content: is it a PDF a reader can open?

A file is taken for a PDF only when it starts with "%PDF-", ends with an "%%EOF" marker within its
last 1024 bytes (what readers look for; a file cut off in transit has none), and pypdf opens it,
finds it unencrypted, with 1 to 200 pages, and can read every page's content stream. Refusals are
ValidationFailed on the field "documents".
"""

from __future__ import annotations

import logging
from io import BytesIO

from pypdf import PdfReader

from servicecenter.errors import N_, ValidationFailed

PDF_MAGIC = b"%PDF-"
MAX_PDF_PAGES = 200
_EOF_WINDOW = 1024
# The page contents (drawing commands; a scan's pictures are not counted) a file may inflate to, in all.
# A signed act has kilobytes; 200 page streams that each inflate to tens of MB (pypdf caps one at 75 MB)
# would cost the check minutes and whoever opens the file more.
MAX_PAGE_CONTENT = 32 * 1024 * 1024

NOT_A_PDF = N_("Not a PDF file")
DAMAGED_PDF = N_("Damaged or incomplete PDF")

# pypdf logs a warning for every oddity it works around; a refused upload is already reported to the
# user, and a log line per bad file from an untrusted uploader is noise.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _refuse(message: str, reason: str, **params: object) -> ValidationFailed:
    return ValidationFailed(message, errors={"documents": reason}, **params)


class _Encrypted(Exception):
    pass


class _TooMuchContent(Exception):
    pass


def check_pdf(shown: str, data: bytes) -> int:
    """The number of pages of a readable, unencrypted PDF of 1–200 pages; ValidationFailed otherwise.

    `shown` is the file's display name, used in the messages.
    """
    if not data.startswith(PDF_MAGIC):
        raise _refuse(N_("%(name)s is not a PDF file"), NOT_A_PDF, name=shown)
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise _refuse(N_("%(name)s could not be read as a PDF (damaged or incomplete)"), DAMAGED_PDF, name=shown)
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _Encrypted
        pages = len(reader.pages)
        if 0 < pages <= MAX_PDF_PAGES:
            decoded = 0
            for page in reader.pages:  # a damaged page tree or content stream fails here, not in a reader later
                contents = page.get_contents()
                decoded += len(contents.get_data()) if contents is not None else 0
                if decoded > MAX_PAGE_CONTENT:
                    raise _TooMuchContent
    except _Encrypted:
        raise _refuse(N_("%(name)s is password-protected or encrypted; save it without protection and "
                         "upload it again"), N_("Encrypted PDF"), name=shown) from None
    except _TooMuchContent:
        raise _refuse(N_("%(name)s has more than %(limit)s MB of page content; save it smaller (e.g. as a scan)"),
                      N_("Too much page content"), name=shown, limit=MAX_PAGE_CONTENT // (1024 * 1024)) from None
    except Exception:  # noqa: BLE001  any failure of the parser on an untrusted file is a refusal, never a 500
        raise _refuse(N_("%(name)s could not be read as a PDF (damaged or incomplete)"), DAMAGED_PDF,
                      name=shown) from None
    if pages == 0:
        raise _refuse(N_("%(name)s has no pages"), N_("The PDF has no pages"), name=shown)
    if pages > MAX_PDF_PAGES:
        raise _refuse(N_("%(name)s has %(pages)s pages (at most %(limit)s)"), N_("Too many pages"),
                      name=shown, pages=pages, limit=MAX_PDF_PAGES)
    return pages
