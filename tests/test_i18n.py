"""Russian first, English second: a complete Russian catalogue, and pages in the user's language.

The catalogue tests read translations/ru/LC_MESSAGES/messages.po and extract the sources with
babel.cfg, so a string added without a translation fails here, by name. How to fix such a
failure: docs/translations.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, get_babel, gettext

from servicecenter.accounts.roles import Role
from tests.factories import csrf_token, login

ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "translations"
RU_PO = TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"

# The same keywords as the documented `pybabel extract -k lazy_gettext -k _l` (babel.cfg repeats
# them per section, which only Babel >= 2.18 reads).
KEYWORDS = {**DEFAULT_KEYWORDS, **frontend.parse_keywords(
    ["lazy_gettext", "_l", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"])}
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


class _AnyValue(dict):
    """A mapping that has every key: `text % _AnyValue()` checks a format without real values."""

    def __missing__(self, key: str) -> int:
        return 1


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file)


def messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def forms(value: str | tuple | list | None) -> list[str]:
    """The msgid (singular and plural) or the msgstr forms of a message, as a list."""
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else [s or "" for s in value]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def formats_cleanly(text: str) -> bool:
    try:
        text % _AnyValue()
    except (ValueError, TypeError, KeyError):
        return False
    return True


def label(message: Message) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
    context = f"[{message.context}] " if message.context else ""
    return f"{context}{forms(message.id)[0]!r}" + (f" ({where})" if where else "")


def extracted_from_sources() -> dict[tuple[str | None, str], str]:
    """Every message babel.cfg finds in the sources today: (context, msgid) -> where."""
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse(cfg, str(BABEL_CFG))
    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def ru() -> Catalog:
    return read_catalog(RU_PO)


# --- The catalogues ------------------------------------------------------------------------------

def test_catalogue_files_exist_and_russian_has_three_plural_forms(ru) -> None:  # noqa: ANN001
    assert (TRANSLATIONS / "messages.pot").is_file()
    assert EN_PO.is_file(), "English must be a known locale (its msgstrs may stay empty)"
    assert str(ru.locale) == "ru" and ru.num_plurals == 3
    assert len(messages(ru)) > 100


def test_every_russian_message_is_translated_and_none_is_fuzzy(ru) -> None:  # noqa: ANN001
    untranslated = [label(m) for m in messages(ru) if not all(s.strip() for s in forms(m.string))
                    or (m.pluralizable and len(forms(m.string)) != ru.num_plurals)]
    fuzzy = [label(m) for m in messages(ru) if m.fuzzy]
    assert untranslated == [], f"no Russian translation (docs/translations.md): {untranslated}"
    assert fuzzy == [], f"fuzzy, i.e. guessed by `pybabel update`; check and unflag: {fuzzy}"
    assert not ru.fuzzy, "the catalogue header is marked fuzzy"


def test_russian_placeholders_match_the_english_ones(ru) -> None:  # noqa: ANN001
    wrong = []
    for m in messages(ru):
        expected = set().union(*(placeholders(s) for s in forms(m.id)))
        source_formats = all(formats_cleanly(s) for s in forms(m.id))
        for text in forms(m.string):
            if placeholders(text) != expected:
                wrong.append(f"{label(m)}: {sorted(placeholders(text))} instead of {sorted(expected)}")
            elif formats_cleanly(text) != source_formats:
                wrong.append(f"{label(m)}: a stray % in {text!r} (write %% for a percent sign)")
    assert wrong == [], f"translations whose %(name)s placeholders differ from the msgid's: {wrong}"


def test_every_string_in_the_sources_has_a_russian_translation(ru) -> None:  # noqa: ANN001
    known = {(m.context, forms(m.id)[0]) for m in messages(ru)}
    found = extracted_from_sources()
    missing = sorted(f"{msgid!r} ({where})" for (context, msgid), where in found.items()
                     if (context, msgid) not in known)
    assert len(found) > 100, "extraction found almost nothing: is babel.cfg right?"
    assert missing == [], (
        "strings without a Russian translation; run the update commands in docs/translations.md "
        f"and translate them: {missing}")


def test_babel_cfg_extracts_every_marker(tmp_path) -> None:  # noqa: ANN001
    """`_()`, `{% trans %}` and `{% pluralize %}` in templates; _, gettext, ngettext, lazy_gettext, _l
    and N_ in Python."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "sample.html").write_text(
        '{{ _("Call %(n)s", n=1) }} {% trans %}Block text{% endtrans %}\n'
        "{% trans count=n %}One unit{% pluralize %}{{ count }} units{% endtrans %}\n", encoding="utf-8")
    (tmp_path / "workstations").mkdir()
    (tmp_path / "workstations" / "sample.py").write_text(
        'a = _("underscore"); b = gettext("gettext"); c = ngettext("one", "many", 2)\n'
        'd = lazy_gettext("lazy"); e = _l("short lazy")\n', encoding="utf-8")
    (tmp_path / "servicecenter").mkdir()
    (tmp_path / "servicecenter" / "sample.py").write_text('f = N_("domain message")\n', encoding="utf-8")
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse(cfg, str(BABEL_CFG))
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        str(tmp_path), method_map, options_map, keywords=KEYWORDS)}
    assert found == {"Call %(n)s", "Block text", ("One unit", "%(count)s units"), "underscore", "gettext",
                     ("one", "many"), "lazy", "short lazy", "domain message"}


def test_trans_blocks_and_underscore_both_render_in_russian(app) -> None:  # noqa: ANN001
    with app.test_request_context("/"), force_locale("ru"):
        assert render_template_string('{% trans %}Log in{% endtrans %} / {{ _("Log in") }}') == "Войти / Войти"
        assert render_template_string('{{ _("Page %(page)s of %(pages)s", page=2, pages=5) }}') == "Страница 2 из 5"
    with app.test_request_context("/"), force_locale("en"):
        assert render_template_string("{% trans %}Log in{% endtrans %}") == "Log in"


def test_russian_and_english_are_the_known_locales(app) -> None:  # noqa: ANN001
    with app.app_context():
        known = {str(locale) for locale in get_babel(app).instance.list_translations()}
    assert {"ru", "en"} <= known
    with app.test_request_context("/"), force_locale("en"):
        assert gettext("Order %(number)s: done.", number="MSK-1") == "Order MSK-1: done."
    with app.test_request_context("/"), force_locale("ru"):
        assert gettext("Order %(number)s: done.", number="MSK-1") == "Заказ-наряд MSK-1: выполнено."


# --- The pages -----------------------------------------------------------------------------------

def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def test_login_page_is_russian_by_default(client) -> None:  # noqa: ANN001
    page = html(client.get("/login"))
    assert '<html lang="ru">' in page
    assert "Войти" in page and "Пароль" in page
    assert "Log in" not in page and "Password" not in page


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.5"])
def test_login_page_is_english_when_the_browser_asks_for_it(client, header) -> None:  # noqa: ANN001
    page = html(client.get("/login", headers={"Accept-Language": header}))
    assert '<html lang="en">' in page
    assert "Log in" in page and "Password" in page and "Войти" not in page


def test_russian_browsers_and_unknown_languages_get_russian(client) -> None:  # noqa: ANN001
    for header in ("ru-RU,ru;q=0.9", "fr-FR", "*"):
        assert "Войти" in html(client.get("/login", headers={"Accept-Language": header})), header


def test_wrong_password_is_refused_in_russian(client, factory) -> None:  # noqa: ANN001
    clerk = factory.user(factory.center("MSK"), Role.INTAKE)
    assert "Неверный e-mail или пароль." in html(login(client, clerk.email, "not-the-password"))


def test_a_logged_in_user_switches_to_english_and_it_is_remembered(app, client, factory) -> None:  # noqa: ANN001
    clerk = factory.user(factory.center("MSK"), Role.INTAKE)
    assert login(client, clerk.email).status_code == 302
    page = client.get("/intake/")
    assert "Стойка приёмки" in html(page) and "English" in html(page)
    switched = client.post("/language/en", data={"csrf_token": csrf_token(html(page)), "next": "/intake/"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/intake/")
    english = html(client.get("/intake/"))
    assert '<html lang="en">' in english and "Intake counter" in english and "Стойка приёмки" not in english
    assert "Русский" in english  # the way back
    # The choice is the user's, not only this browser's: a fresh login elsewhere is English too.
    other = app.test_client()
    assert login(other, clerk.email).status_code == 302
    assert "Intake counter" in html(other.get("/intake/"))


def test_an_anonymous_visitor_switches_language_for_the_session(client) -> None:  # noqa: ANN001
    page = client.get("/login")
    client.post("/language/en", data={"csrf_token": csrf_token(html(page)), "next": "/login"})
    assert "Log in" in html(client.get("/login"))


@pytest.fixture
def received_order(factory):  # noqa: ANN001, ANN201
    center = factory.center("MSK")
    return factory.order(center), factory.staff(center, Role.INTAKE)


def transition(client, order, to: str):  # noqa: ANN001, ANN201
    page = client.get(f"/orders/{order.number}")
    return client.post(f"/orders/{order.number}/transition",
                       data={"csrf_token": csrf_token(html(page)), "to": to, "version": order.version})


def test_intake_clerk_sees_the_order_in_russian(client, received_order) -> None:  # noqa: ANN001
    order, clerk = received_order
    login(client, clerk.email)
    page = html(client.get(f"/orders/{order.number}"))
    assert '<span class="state state-received">Принят</span>' in page
    assert "Принят на приёмке, ожидает диагностики" in page  # the state's help (N_ in the domain)
    assert "Заказ-наряд" in page and "Неисправность" in page and "История" in page
    assert ">Отменить</button>" in page  # a transition label (N_ in the state table)
    assert "Received" not in page and "Fault" not in page


def test_a_refused_transition_is_explained_in_russian(client, received_order) -> None:  # noqa: ANN001
    order, clerk = received_order
    login(client, clerk.email)
    conflict = transition(client, order, "issued")  # received -> issued is not in the state table
    assert conflict.status_code == 409
    assert "Не выполнено" in html(conflict) and "Ничего не изменено." in html(conflict)
    assert f"Заказ-наряд {order.number} в статусе" in html(conflict)
    assert "from there it can go to" not in html(conflict)
    forbidden = transition(client, order, "diagnosis")  # an engineer's step, not the counter's
    assert forbidden.status_code == 403
    assert "Ваша роль не позволяет выполнить действие «Начать диагностику»" in html(forbidden)


def test_the_same_refusal_reads_in_english_for_an_english_user(client, received_order, session) -> None:  # noqa: ANN001
    order, clerk = received_order
    clerk.locale = "en"
    session.flush()
    login(client, clerk.email)
    forbidden = transition(client, order, "diagnosis")
    assert forbidden.status_code == 403
    assert "Your role may not do this: Start diagnosis" in html(forbidden)


def _compile_after(barrier, directory: str) -> None:  # noqa: ANN001
    from servicecenter.i18n import compile_catalogues

    barrier.wait()
    compile_catalogues(Path(directory))


def test_workers_forked_together_all_compile_the_catalogues(tmp_path: Path) -> None:
    """gunicorn forks its workers and each compiles a stale catalogue at boot, at the same moment: every
    one must start (they once wrote the same temporary file, and a worker failed to boot)."""
    import multiprocessing
    import shutil

    from servicecenter.i18n import CATALOGUES

    for po in CATALOGUES.glob("*/LC_MESSAGES/messages.po"):
        target = tmp_path / po.relative_to(CATALOGUES)
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)
    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(6)
    workers = [fork.Process(target=_compile_after, args=(barrier, str(tmp_path))) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * 6
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["messages.mo", "messages.mo",
                                                                           "messages.po", "messages.po"]


def test_wtforms_own_messages_follow_each_users_language_request_after_request(app, factory, session) -> None:  # noqa: ANN001
    """WTForms' built-in messages come from its catalogue, kept once per language in the process: a
    Russian and an English administrator, in turns, each read theirs."""
    hq = factory.center("HQ")
    clients = {}
    for locale in ("ru", "en"):
        admin = factory.user(hq, Role.ADMIN)
        admin.locale = locale
        session.flush()
        clients[locale] = app.test_client()
        assert login(clients[locale], admin.email).status_code == 302
    expected = {"ru": "Неверное целое число", "en": "Not a valid integer value"}
    for locale in ("ru", "en", "ru", "en"):
        client = clients[locale]
        token = csrf_token(client.get("/admin/deadlines/new").get_data(as_text=True))
        answer = client.post("/admin/deadlines/new", data={"csrf_token": token, "applies_to": "any",
                                                           "diagnosis_days": "три", "repair_days": "20", "margin": "24",
                                                           "diagnosis_unit": "calendar", "repair_unit": "calendar",
                                                           "margin_unit": "hours"})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422 and expected[locale] in page, (locale, answer.status_code)
        assert expected["en" if locale == "ru" else "ru"] not in page
