"""Upload attacks, generated over every upload of the app (issue 11).

The uploads are found, not listed (tests/hardening/upload_discovery.py): the web routes whose view
reads files — in its code, or asked over the URL map with a first multipart POST — and every API
operation whose request body is not JSON in the OpenAPI document. Each one found must have an entry in
WEB or API below saying how to reach it (who, on what); a missing entry fails the test, so a new upload
is swept from the day it is added.

Every endpoint then receives every payload of tests/hardening/upload_payloads.py (SVG and HTML named
as images or PDFs, a GIF/HTML polyglot, pixel and PDF bombs, broken and empty images, one byte over the
limits, a PDF with JavaScript, traversal, absolute, NUL, CR/LF, RTL, 300-character and Cyrillic names,
lying Content-Types, a request that is not multipart or is over the request cap). Each cell must end
in one of two ways, never a 500:
- refused with a clear message (web: an error on the page it leads to; API: a problem) and nothing
  written: every table's rows and versions as before, no file added anywhere under the instance
  folder or the static root;
- or kept safely: a new row whose stored name is random (never from the client's name), its file at
  `uploads/<2 hex>/<32 hex>.<ext>` outside the static root and nowhere else, its bytes what was sent,
  its type what the content really is (a raster image within the caps, or a PDF), its display name
  without paths or control characters; every download route answers it to its uploader with `nosniff`,
  a sandbox CSP, `Content-Disposition: attachment` unless it is a raster image that really is one,
  never as HTML or SVG — and not to someone logged out.
The units import (a CSV or JSON Lines body) gets files of its own: formula cells, XLSX, not UTF-8…
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from printing.csv_export import to_csv
from printing.xlsx_export import render_xlsx_stream
from servicecenter.accounts.roles import Role
from servicecenter.accounts.tokens import create_token
from servicecenter.attachments import MAX_DOCUMENT_BYTES, MAX_NAME, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS
from servicecenter.customers.models import Customer
from servicecenter.equipment.models import Unit
from servicecenter.knowledge import services as knowledge
from servicecenter.knowledge.models import ArticleFile
from servicecenter.repairs.models import Attachment
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import take_order
from tests.api.conftest import ApiClient
from tests.factories import csrf_token, login
from tests.hardening.test_api_matrix import _fingerprint
from tests.hardening.upload_discovery import api_uploads, web_uploads
from tests.hardening.upload_payloads import (
    FORMULAS,
    OVER_REQUEST_LIMIT,
    PAYLOADS,
    Payload,
    import_payloads,
    import_rows,
    multipart,
    picture,
)
from tests.workstations.test_access import _sample_url
from tests.workstations.test_intake import _intake
from workstations.web.access import policy_for

ROOT = Path(__file__).resolve().parents[2]
RASTER = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
KEPT_TYPES = {*RASTER, "application/pdf"}
NEVER_SERVED = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
                "text/javascript", "application/javascript"}
STORED = re.compile(r"^([0-9a-f]{32})\.(jpg|png|webp|pdf)$")
STORED_FILE = re.compile(r"^([0-9a-f]{2})/(\1[0-9a-f]{30})(\.thumb\.jpg|\.jpg|\.png|\.webp|\.pdf)$")
FLASH_ERROR = re.compile(r'<p class="flash error"[^>]*>\s*(.*?)\s*</p>', re.S)
FLASH_DONE = re.compile(r'<p class="flash success"')


# --- how to reach each upload (a hand table: an upload found above and missing here fails) -------

@dataclass(frozen=True)
class Reach:
    role: Role
    target: str  # "order" (an order on the bench of the role's center), "visit" (pre-registered), "article", ""
    field: str
    form: str = ""  # "intake": the intake form's fields; else the `kind` sent, if any
    takes: str = "photo"  # "document": PDFs too (a control PDF must be kept)
    optional: bool = False  # the form is taken without a file too (an intake without photos)


WEB = {
    "attachments.upload": Reach(Role.INTAKE, "order", "photos", "intake_photo"),
    "attachments.upload_documents": Reach(Role.INTAKE, "order", "documents", "document", "document"),
    "engineer.part_photos": Reach(Role.ENGINEER, "order", "photos"),
    "knowledge.upload": Reach(Role.TEAM_LEAD, "article", "files", takes="document"),
    "intake.new": Reach(Role.INTAKE, "", "photos", "intake", optional=True),
    "intake.complete": Reach(Role.INTAKE, "visit", "photos", "intake", optional=True),
}
API = {
    "uploadPhotos": Reach(Role.INTAKE, "order", "photos", "intake_photo"),
    "uploadDocuments": Reach(Role.INTAKE, "order", "documents", "document", "document"),
    "uploadPartPhotos": Reach(Role.ENGINEER, "order", "photos"),
    "addKnowledgeArticleFiles": Reach(Role.TEAM_LEAD, "article", "files", takes="document"),
    "importUnits": Reach(Role.ADMIN, "", ""),  # its own payloads: test_the_units_import_...
}
# Where a kept file is read back, by the model that keeps it: (URL, as whom: "web"/"api"/"public", image only).
DOWNLOADS = {
    Attachment: [("/attachments/{id}", "web", False), ("/attachments/{id}/thumb", "web", True),
                 ("/api/v1/attachments/{id}", "api", False), ("/api/v1/attachments/{id}/thumbnail", "api", True)],
    ArticleFile: [("/knowledge/files/{id}", "web", False), ("/help/files/{id}", "public", False)],
}


# --- the world and one cell ----------------------------------------------------------------------

@dataclass
class Sweep:
    app: Any
    session: Any
    factory: Any
    uploads: Path
    watched: list[Path]
    clients: dict[Role, Any]
    csrf: dict[Role, str]
    api: dict[Role, ApiClient]
    anonymous: Any
    center: Any
    model: Any
    order: Any = None
    visit: Any = None
    article: Any = None
    operations: dict[str, tuple[str, str, list[str], list[str]]] = field(default_factory=dict)
    bugs: list[str] = field(default_factory=list)
    figures: Counter = field(default_factory=Counter)
    messages: dict[str, str] = field(default_factory=dict)
    seed: int = 0

    def fresh(self, target: str) -> None:
        if target == "order":  # on the bench of the center's engineer
            self.order = self.factory.order(self.center, RepairState.RECEIVED)
            take_order(self.session, self.factory.staff(self.center, Role.ENGINEER), self.order)
        elif target == "visit":
            self.visit = self.factory.order(self.center, RepairState.REGISTERED)
        elif target == "article":
            lead = self.factory.staff(self.center, Role.TEAM_LEAD)
            self.article = knowledge.create_article(self.session, lead, title=f"Статья {self.seed}", body="Текст")
        self.session.flush()

    def path_values(self, target: str) -> dict[str, Any]:
        return {"number": (self.visit if target == "visit" else self.order).number, "article_id": self.article.id}


@pytest.fixture
def sweep(app, factory, session, tmp_path) -> Sweep:  # noqa: ANN001
    center = factory.center("MSK")
    model = factory.model(months=24, name="WW90T")
    clients, csrf, api = {}, {}, {}
    for role in (Role.ADMIN, Role.INTAKE, Role.ENGINEER, Role.TEAM_LEAD, Role.WAREHOUSE, Role.LOGISTICS,
                 Role.CALL_CENTER):
        user = factory.staff(center, role)
        clients[role] = app.test_client()
        login(clients[role], user.email)
        csrf[role] = csrf_token(clients[role].get("/profile").get_data(as_text=True))
        api[role] = ApiClient(app.test_client(), create_token(session, None, user, "uploads")[1])
    uploads = Path(app.config["SETTINGS"].instance_path) / "uploads"
    sw = Sweep(app, session, factory, uploads, [tmp_path, ROOT / "static"], clients, csrf, api, app.test_client(),
               center, model)
    for target in ("order", "visit", "article"):
        sw.fresh(target)
    return sw


def _snapshot(sw: Sweep) -> set[Path]:
    return {p for root in sw.watched if root.exists() for p in root.rglob("*") if p.is_file()}


def _rows(sw: Sweep) -> dict[type, set[int]]:
    return {model: set(sw.session.scalars(select(model.id))) for model in DOWNLOADS}


def _url(app, endpoint: str, values: dict[str, Any]) -> str:  # noqa: ANN001
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods)
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _intake_fields(sw: Sweep, client: Any, url: str) -> dict[str, Any]:
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    return {"csrf_token": csrf_token(page), "token": token.group(1) if token else "",
            **_intake(sw.model, serial=f"UP-{sw.seed:06d}")}


def send(sw: Sweep, side: str, key: str, reach: Reach, payload: Payload, data: bytes) -> tuple[Any, str]:
    """One cell's request: (the response, the message a person would read — "" if none)."""
    values = sw.path_values(reach.target)
    if side == "web":
        client, url = sw.clients[reach.role], _url(sw.app, key, values)
        fields = _intake_fields(sw, client, url) if reach.form == "intake" else {"csrf_token": sw.csrf[reach.role]}
    else:
        _method, path, _media, _fields = sw.operations[key]
        client, url = sw.api[reach.role].client, "/api/v1" + path.format(**values)
        fields = {}
    if reach.form and reach.form != "intake":
        fields["kind"] = reach.form
    if payload.request_type:
        body, ctype = data, payload.request_type
    else:
        files = [(reach.field, payload.filename, payload.part_type, data)]
        files += [(reach.field, payload.filename, payload.part_type, payload.make(sw.seed * 100 + n))
                  for n in range(1, payload.copies)]
        if payload.after_a_good_one:
            files.insert(0, (reach.field, "good.png", "image/png", picture(sw.seed * 100 + 99)))
        encoded = {n: payload.encoded_name for n in range(len(files)) if payload.encoded_name
                   and files[n][1] != "good.png"}
        body, ctype = multipart(fields, files, encoded)
    if side == "api":
        response = client.post(url, data=body, content_type=ctype, headers=sw.api[reach.role]._headers(None))
        try:
            sw.api[reach.role].check(response)  # a problem, and the answer the document promises
        except Exception as exc:  # noqa: BLE001
            sw.bugs.append(f"answer not as documented: {key} {response.status_code}: {str(exc)[:200]}")
        problem = response.get_json(silent=True) or {}
        return response, (problem.get("detail") or problem.get("title") or "") if response.status_code >= 400 else ""
    response = client.post(url, data=body, content_type=ctype)
    page = response
    if 300 <= response.status_code < 400:
        page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    found = FLASH_ERROR.search(html)
    if found is None and FLASH_DONE.search(html):
        return response, ""
    return response, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def cell(sw: Sweep, side: str, key: str, reach: Reach, payload: Payload) -> None:
    sw.seed += 1
    what = f"{side} {key} × {payload.key}"
    data = payload.make(sw.seed)
    rows, files, tables = _rows(sw), _snapshot(sw), _fingerprint(sw.session)
    try:
        response, message = send(sw, side, key, reach, payload, data)
    except Exception as exc:  # noqa: BLE001  (TESTING propagates a crash: the 500 we look for)
        sw.bugs.append(f"500 {what}: {type(exc).__name__}: {str(exc)[:200]}")
        return
    sw.figures["cells"] += 1
    if response.status_code >= 500:
        sw.bugs.append(f"{response.status_code} {what}")
        return
    new = {model: ids - rows[model] for model, ids in _rows(sw).items()}
    added = _snapshot(sw) - files
    if not any(new.values()) and payload.key == "no-file-chosen" and reach.optional and response.status_code < 400:
        sw.figures["taken without a file"] += 1  # an intake without photos: the order is received
        sw.fresh(reach.target)
    elif not any(new.values()):
        _refused(sw, what, reach, response, message, payload, tables, added)
    else:
        _kept(sw, what, side, reach, payload, data, new, added)
        sw.fresh(reach.target)  # the next cell starts on an empty order or article


def _refused(sw: Sweep, what: str, reach: Reach, response: Any, message: str, payload: Payload, tables: Any,
             added: set[Path]) -> None:
    sw.figures["refused"] += 1
    sw.figures[f"refused {response.status_code}"] += 1
    if payload.accept in ("photo", reach.takes):
        sw.bugs.append(f"control refused {what}: {response.status_code} {message[:160]}")
    if not message:
        sw.bugs.append(f"refused without a message {what}: {response.status_code}")
    elif payload.says and not re.search(payload.says, message, re.I):
        sw.bugs.append(f"refused with a message that does not say why {what}: {message[:160]}")
    if response.status_code < 400 and what.startswith("api"):
        sw.bugs.append(f"refused without a 4xx {what}: {response.status_code}")
    if added:
        sw.bugs.append(f"files left behind by a refusal {what}: {sorted(map(str, added))[:3]}")
    if _fingerprint(sw.session) != tables:
        sw.bugs.append(f"rows changed by a refusal {what}")
    sw.messages.setdefault(payload.key, message)


def _kept(sw: Sweep, what: str, side: str, reach: Reach, payload: Payload, data: bytes,
          new: dict[type, set[int]], added: set[Path]) -> None:
    sw.figures["kept"] += 1
    if payload.refuse:
        sw.bugs.append(f"kept what must be refused: {what}")
    outside = [p for p in added if not p.is_relative_to(sw.uploads)]
    if outside:
        sw.bugs.append(f"file written outside the uploads folder {what}: {outside[:3]}")
    for p in added - set(outside):
        if not STORED_FILE.match(p.relative_to(sw.uploads).as_posix()):
            sw.bugs.append(f"stored file not named at random {what}: {p.relative_to(sw.uploads)}")
    for name in filter(None, (payload.filename, payload.encoded_name)):
        for base in (sw.uploads, sw.uploads.parent, ROOT / "static", Path.cwd()):
            try:
                if "\x00" not in name and (base / name).resolve().is_file():
                    sw.bugs.append(f"a file at the client's path {what}: {base / name}")
            except (OSError, ValueError):
                pass
    for model, ids in new.items():
        for row in sw.session.scalars(select(model).where(model.id.in_(ids))):
            _check_row(sw, what, row, data)
            _check_downloads(sw, what, model, row, data)


def _check_row(sw: Sweep, what: str, row: Any, data: bytes) -> None:
    bad = []
    if not STORED.match(row.stored_name or ""):
        bad.append(f"stored name {row.stored_name!r}")
    name = row.original_name or ""
    if re.search(r"[\\/]", name) or any(unicodedata.category(c).startswith("C") for c in name) or len(name) > MAX_NAME:
        bad.append(f"display name {name!r}")
    if row.content_type not in KEPT_TYPES:
        bad.append(f"content type {row.content_type}")
    path = sw.uploads / row.stored_name[:2] / row.stored_name
    if not path.is_file() or path.read_bytes() != data:
        bad.append("stored bytes differ from those sent")
    if row.content_type in RASTER:
        try:
            with Image.open(io.BytesIO(data), formats=list(RASTER.values())) as image:
                if RASTER[row.content_type] != {"MPO": "JPEG"}.get(image.format, image.format):
                    bad.append(f"kept as {row.content_type} but is {image.format}")
                if image.size[0] * image.size[1] > MAX_PHOTO_PIXELS:
                    bad.append(f"{image.size} pixels kept")
        except Exception as exc:  # noqa: BLE001
            bad.append(f"kept as {row.content_type} but Pillow says {exc}")
        if len(data) > MAX_PHOTO_BYTES:
            bad.append(f"{len(data)} bytes kept as an image")
    elif row.content_type == "application/pdf" and (
            not data.startswith(b"%PDF-") or len(data) > MAX_DOCUMENT_BYTES or not PdfReader(io.BytesIO(data)).pages):
        bad.append("kept as a PDF but is none (or too large)")
    if bad:
        sw.bugs.append(f"kept unsafely {what}: {'; '.join(bad)}")


def _check_downloads(sw: Sweep, what: str, model: type, row: Any, data: bytes) -> None:
    owner = Role.TEAM_LEAD if model is ArticleFile else Role.INTAKE
    for template, who, image_only in DOWNLOADS[model]:
        url = template.format(id=row.id)
        if who == "public":
            answer = sw.anonymous.get(url)
            if answer.status_code != 404:  # the sweep's articles are drafts: nothing for the public
                sw.bugs.append(f"a draft's file answered the public {what}: {url} {answer.status_code}")
            continue
        client = sw.clients[owner] if who == "web" else sw.api[owner]
        answer = client.get(url)
        if image_only and row.content_type not in RASTER:
            if answer.status_code != 404:
                sw.bugs.append(f"a thumbnail of a non-image {what}: {url} {answer.status_code}")
            continue
        sw.figures["downloads"] += 1
        problems = _download_problems(answer, row, data, thumbnail=image_only)
        if problems:
            sw.bugs.append(f"download {url} of {what}: {'; '.join(problems)}")
        logged_out = (sw.anonymous.get(url) if who == "web" else ApiClient(sw.anonymous, None).get(url))
        if logged_out.status_code == 200:
            sw.bugs.append(f"download {url} answered someone logged out {what}")


def _download_problems(answer: Any, row: Any, data: bytes, thumbnail: bool) -> list[str]:
    found = []
    if answer.status_code != 200:
        return [f"status {answer.status_code}"]
    served = answer.mimetype
    if served in NEVER_SERVED or served.startswith("text/"):
        found.append(f"served as {served}")
    if served != ("image/jpeg" if thumbnail else row.content_type):
        found.append(f"served as {served}, kept as {row.content_type}")
    if answer.headers.get("X-Content-Type-Options") != "nosniff":
        found.append("no nosniff")
    if "sandbox" not in answer.headers.get("Content-Security-Policy", ""):
        found.append("no sandbox CSP")
    disposition = answer.headers.get("Content-Disposition", "")
    body = answer.get_data()
    if not thumbnail and body != data:
        found.append("served bytes differ from those kept")
    if not disposition.startswith("attachment"):
        raster = served in RASTER
        try:
            with Image.open(io.BytesIO(body), formats=[RASTER.get(served, "PNG")]) as image:
                image.verify()
        except Exception:  # noqa: BLE001
            raster = False
        if not (raster and disposition.startswith("inline")):
            found.append(f"Content-Disposition {disposition!r} for {served}")
    if re.search(r"[\r\n\x00]", disposition):
        found.append("a control character in Content-Disposition")
    return found


# --- the sweeps ----------------------------------------------------------------------------------

def _first_post(sw: Sweep) -> Any:
    """Send a discovery POST to a rule as the first of our users its policy admits (a crash is a bug)."""
    def post(rule: Any, body: bytes, ctype: str) -> None:
        role = next((r for r in (Role.ADMIN, *sw.clients) if policy_for(rule.endpoint, sw.app).admits(r)), None)
        if role is None:
            return
        url = _sample_url(rule, {"number": sw.order.number, "id": sw.article.id, "shipment": "SHP-0"})
        try:
            # the token in its header (Flask-WTF reads it there too): the body is the discovery's own
            sw.clients[role].post(url, data=body, content_type=ctype, headers={"X-CSRFToken": sw.csrf[role]})
        except Exception as exc:  # noqa: BLE001  (TESTING propagates a crash)
            sw.bugs.append(f"500 on the first POST to {url}: {type(exc).__name__}: {str(exc)[:120]}")
    return post


def test_every_upload_is_found_and_has_a_way_in(app, sweep) -> None:  # noqa: ANN001
    in_code, asked = web_uploads(app, _first_post(sweep))
    operations = api_uploads(app)
    print(f"\nuploads found: web in code {sorted(in_code)}, web by a first POST {sorted(asked)}, "
          f"API {sorted(operations)}")
    assert sweep.bugs == []
    assert asked <= in_code, f"read files, not found in their code: {sorted(asked - in_code)}"
    assert sorted(in_code | asked) == sorted(WEB), "an upload without an entry in WEB (or a stale entry)"
    assert sorted(operations) == sorted(API), "an upload operation without an entry in API (or a stale entry)"
    for key, (_m, _p, media, fields) in operations.items():
        assert ("multipart/form-data" not in media) or fields == [API[key].field], (key, fields)
    static = Path(app.static_folder).resolve()
    uploads = sweep.uploads.resolve()
    assert not uploads.is_relative_to(static) and not uploads.is_relative_to(ROOT / "static")
    assert app.config["MAX_CONTENT_LENGTH"] < OVER_REQUEST_LIMIT


@pytest.mark.parametrize("side", ["web", "api"])
def test_every_upload_refuses_or_keeps_each_hostile_file_safely(app, sweep, side) -> None:  # noqa: ANN001
    sweep.operations = api_uploads(app)
    table = WEB if side == "web" else {k: v for k, v in API.items() if v.field}
    for key, reach in table.items():
        for payload in PAYLOADS:
            cell(sweep, side, key, reach, payload)
    f = sweep.figures
    print(f"\n{side}: {len(table)} endpoints × {len(PAYLOADS)} payloads = {f['cells']} cells: "
          f"{f['refused']} refused ({', '.join(f'{k[8:]}: {v}' for k, v in sorted(f.items()) if k.startswith('refused '))}), "
          f"{f['kept']} kept safely ({f['downloads']} downloads checked), {len(sweep.bugs)} bugs")
    for key, message in sorted(sweep.messages.items()):
        print(f"  {key}: {message[:110]}")
    assert sweep.bugs == [], "\n".join(sweep.bugs[:80])
    assert f["cells"] == len(table) * len(PAYLOADS)


def test_a_body_no_form_can_be_read_from_is_said_so_and_not_taken_for_an_expired_form(sweep) -> None:  # noqa: ANN001
    """Found by the sweep: a file name that is not UTF-8 made werkzeug drop every part, and the answer
    was "the form has expired" (web) or "choose a file" (API)."""
    number = sweep.order.number
    unreadable, ctype = multipart({"csrf_token": sweep.csrf[Role.INTAKE], "kind": "intake_photo"},
                                  [("photos", "x\udcff.png", "image/png", picture(1))])
    web = sweep.clients[Role.INTAKE]
    answer = web.post(f"/orders/{number}/attachments", data=unreadable, content_type=ctype)
    assert answer.status_code == 400 and "UTF-8" in answer.get_data(as_text=True)
    expired = web.post(f"/orders/{number}/attachments", data={"csrf_token": "stale", "kind": "intake_photo"})
    assert expired.status_code == 400 and "UTF-8" not in expired.get_data(as_text=True)  # the usual words
    api = sweep.api[Role.INTAKE]
    answer = api.post(f"/api/v1/repair-orders/{number}/attachments", data=unreadable, content_type=ctype)
    assert answer.status_code == 400 and "UTF-8" in answer.get_json()["detail"]
    empty, ctype = multipart({}, [])  # a well-formed body without a part: no file chosen, as before
    answer = api.post(f"/api/v1/repair-orders/{number}/attachments", data=empty, content_type=ctype)
    assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {"photos"}
    assert _rows(sweep) == {Attachment: set(), ArticleFile: set()}


# --- the units import: a file in the request's body ----------------------------------------------

def test_the_units_import_refuses_or_keeps_hostile_files_safely(sweep) -> None:  # noqa: ANN001
    api, figures, bugs = sweep.api[API["importUnits"].role], Counter(), []
    payloads = import_payloads()
    for key, (ctype, make, may_keep) in payloads.items():
        sweep.seed += 1
        rows = import_rows(sweep.model.manufacturer.name, sweep.model.name, sweep.seed)
        body = make(rows)
        if not ctype:
            body, ctype = body
        tables, files = _fingerprint(sweep.session), _snapshot(sweep)
        response = api.client.post("/api/v1/units/import", data=body, content_type=ctype,
                                   headers=api._headers(None))
        api.check(response)  # never a 500; a problem or the documented answer
        answer = response.get_json(silent=True) or {}
        if _snapshot(sweep) != files:
            bugs.append(f"import {key}: files written")
        if response.status_code >= 400:
            figures["refused"] += 1
            if not answer.get("detail") or _fingerprint(sweep.session) != tables:
                bugs.append(f"import {key}: refused {response.status_code} without a message or with rows changed")
            continue
        figures["kept"] += 1
        if not may_keep:
            bugs.append(f"import {key}: taken ({answer})")
        rejected = {r["serial"]: r["reason"] for r in answer["rejected_rows"]}
        for row in rows if "formulas" in key else ():
            # each formula kept as the very text it is (nothing evaluated), or its row rejected with a reason
            owner = sweep.session.scalar(select(Customer.name).join(Unit, Unit.owner_id == Customer.id)
                                         .where(Unit.serial == row["serial"].upper()))
            if not rejected.get(row["serial"].upper()) and owner != row.get("owner_name"):
                bugs.append(f"import {key}: {row} neither kept as text ({owner!r}) nor rejected")
        figures["rows kept"] += answer.get("created", 0)
        figures["rows rejected"] += answer.get("rejected", 0)
    # What an import keeps as text leaves the app only through the two spreadsheet writers, and both
    # defuse it: a CSV cell starts with an apostrophe, an XLSX cell is a string, never a formula.
    for formula in FORMULAS:
        assert to_csv([[formula]]).decode("utf-8-sig").strip().strip('"').startswith("'" + formula[:1])
        book = load_workbook(io.BytesIO(render_xlsx_stream("x", ["h"], ["text"], [[formula]])))
        assert book.active["A2"].data_type == "s" and book.active["A2"].value.startswith("'")
    source = {p: p.read_text() for d in ("servicecenter", "workstations", "printing") for p in (ROOT / d).rglob("*.py")}
    writers = {p.relative_to(ROOT).as_posix() for p, text in source.items()
               if re.search(r"csv\.(writer|DictWriter)\(|from openpyxl|import openpyxl|xlsxwriter", text)}
    assert writers <= {"printing/csv_export.py", "printing/xlsx_export.py"}, writers
    print(f"\nimport: 1 endpoint × {len(payloads)} files: {figures['refused']} refused, {figures['kept']} taken "
          f"({figures['rows kept']} rows kept, {figures['rows rejected']} rejected with a reason), {len(bugs)} bugs")
    assert bugs == [], bugs
