"""The demo network: centers, catalogue, staff, customers, units and repair orders with real history.

Everything that has a service goes through it (users, customers, units, orders, transitions,
warranty decisions, assignments, comments), so the demo history is what real work would have
written. The same seed gives the same data. Services flush; the caller's unit of work commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import create_user
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import Customer, CustomerKind
from servicecenter.customers.services import create_customer
from servicecenter.demo_partners import load_demo_partners, load_demo_rate_cards
from servicecenter.demo_stock import load_demo_stock
from servicecenter.diagnostics.demo import load_demo_codes
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import register_unit
from servicecenter.equipment.warranty import warranty_end
from servicecenter.errors import N_, ValidationFailed
from servicecenter.repairs.models import OrderType, Outcome, Priority, RepairEvent, RepairOrder
from servicecenter.repairs.services import add_comment, assign_engineer, create_order, decide_warranty
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.walk import ActorFor, advance_to, role_picker
from servicecenter.stock.models import Part

DEMO_PASSWORD = "demo12345"  # noqa: S105  (published: printed after `make run`)
DEMO_DOMAIN = "demo.servicecenter.ru"
CUSTOMERS = 300
UNITS = 500
ORDERS = 300

# ---------------------------------------------------------------- the network
_WEEKDAYS = "Пн–Пт 9:00–20:00, Сб 10:00–17:00"


@dataclass(frozen=True)
class _CenterSpec:
    code: str
    name: str
    kind: CenterKind
    city: str
    region: str
    address: str
    phone: str
    hours: str
    timezone: str = "Europe/Moscow"
    is_head_office: bool = False
    brands: tuple[str, ...] = ()  # empty: every brand of the catalogue
    orders: int = 0  # percent of the demo orders (a center with none does no repairs)


CENTERS = (
    _CenterSpec("HQ", "Головной офис «СервисЦентр»", CenterKind.OWN, "Москва", "Москва",
                "г. Москва, ул. Большая Новодмитровская, д. 14, стр. 2", "+7 (495) 120-45-00",
                "Пн–Пт 9:00–18:00", is_head_office=True),
    _CenterSpec("MSK", "СЦ Москва — Савёловская", CenterKind.OWN, "Москва", "Москва",
                "г. Москва, ул. Сущёвский Вал, д. 5, стр. 3", "+7 (495) 120-45-10", _WEEKDAYS, orders=40),
    _CenterSpec("SPB", "СЦ Санкт-Петербург — Московский", CenterKind.OWN, "Санкт-Петербург", "Санкт-Петербург",
                "г. Санкт-Петербург, Московский пр-т, д. 107, корп. 5", "+7 (812) 407-22-30", _WEEKDAYS, orders=30),
    _CenterSpec("KZN", "ООО «ТехноСервис-Казань»", CenterKind.PARTNER, "Казань", "Республика Татарстан",
                "г. Казань, ул. Декабристов, д. 85Б", "+7 (843) 211-34-56", "Пн–Сб 9:00–19:00",
                brands=("Bosch", "Indesit", "ATLANT", "Samsung", "LG", "Gorenje"), orders=15),
    _CenterSpec("EKB", "ООО «УралБытСервис»", CenterKind.PARTNER, "Екатеринбург", "Свердловская область",
                "г. Екатеринбург, ул. Малышева, д. 51", "+7 (343) 385-17-40", "Пн–Пт 9:00–19:00, Сб 10:00–16:00",
                timezone="Asia/Yekaterinburg",
                brands=("Samsung", "LG", "Xiaomi", "Lenovo", "Philips", "Polaris", "Redmond"), orders=15),
)

# (center, role, e-mail local part, display name); the first of each role is the one shown at login.
STAFF = (
    ("HQ", Role.ADMIN, "admin", "Олег Громов"),
    ("HQ", Role.CALL_CENTER, "callcenter", "Анна Соколова"),
    ("HQ", Role.CALL_CENTER, "callcenter2", "Дарья Лебедева"),
    ("MSK", Role.INTAKE, "intake.msk", "Мария Иванова"),
    ("MSK", Role.TEAM_LEAD, "teamlead.msk", "Сергей Кузнецов"),
    ("MSK", Role.ENGINEER, "engineer.msk", "Алексей Смирнов"),
    ("MSK", Role.ENGINEER, "engineer2.msk", "Дмитрий Попов"),
    ("MSK", Role.ENGINEER, "engineer3.msk", "Игорь Васильев"),
    ("MSK", Role.WAREHOUSE, "warehouse.msk", "Николай Фёдоров"),
    ("MSK", Role.LOGISTICS, "logistics.msk", "Екатерина Морозова"),
    ("SPB", Role.INTAKE, "intake.spb", "Ольга Новикова"),
    ("SPB", Role.TEAM_LEAD, "teamlead.spb", "Андрей Волков"),
    ("SPB", Role.ENGINEER, "engineer.spb", "Павел Соловьёв"),
    ("SPB", Role.ENGINEER, "engineer2.spb", "Максим Зайцев"),
    ("SPB", Role.WAREHOUSE, "warehouse.spb", "Виктор Павлов"),
    ("SPB", Role.LOGISTICS, "logistics.spb", "Татьяна Семёнова"),
    ("KZN", Role.PARTNER_MANAGER, "partner.kzn", "Ринат Хайруллин"),
    ("KZN", Role.PARTNER, "master.kzn", "Айдар Галиев"),
    ("EKB", Role.PARTNER, "partner.ekb", "Евгений Баранов"),
)
# What `demo_logins` prints after `make run`: one or two per role.
LOGINS = ("callcenter", "intake.msk", "intake.spb", "teamlead.msk", "engineer.msk", "engineer.spb",
          "warehouse.msk", "logistics.msk", "partner.kzn", "partner.ekb", "admin")

# ---------------------------------------------------------------- the catalogue
# name, country, default warranty months, serial template (# digit, @ letter, * either)
MANUFACTURERS = (
    ("Bosch", "Германия", 24, "FD####-######"), ("Samsung", "Республика Корея", 12, "0@@#@@@@######@"),
    ("LG", "Республика Корея", 12, "###@@@@#####"), ("Indesit", "Италия", 12, "###########"),
    ("Redmond", "Россия", 12, "RM###@#######"), ("Philips", "Нидерланды", 24, "KS##########"),
    ("ATLANT", "Беларусь", 36, "###########"), ("Polaris", "Россия", 12, "PL##########"),
    ("Xiaomi", "Китай", 12, "#####/@@########"), ("Gorenje", "Словения", 24, "##########"),
    ("Lenovo", "Китай", 12, "PF@*****"), ("De'Longhi", "Италия", 24, "#####@####"),
)
WASHERS, FRIDGES, DISHWASHERS = "Стиральные машины", "Холодильники", "Посудомоечные машины"
LAPTOPS, PHONES, TVS, VACUUMS = "Ноутбуки", "Смартфоны", "Телевизоры", "Пылесосы"
MICROWAVES, COFFEE, KITCHEN = "Микроволновые печи", "Кофемашины", "Мелкая кухонная техника"
MODELS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "Bosch": (("WAN28281OE", WASHERS, 24), ("WLP20260OE", WASHERS, 24), ("KGN39VW25R", FRIDGES, 24),
              ("SMS25AW01R", DISHWASHERS, 24), ("BGS05A220", VACUUMS, 24), ("TIS30321RW", COFFEE, 24)),
    "Samsung": (("WW80AGAS21AE", WASHERS, 12), ("RB37A5200SA", FRIDGES, 12), ("Galaxy A54", PHONES, 12),
                ("Galaxy S23", PHONES, 12), ("UE55CU7100U", TVS, 12), ("ME88SUG", MICROWAVES, 12)),
    "LG": (("F2J3HS0W", WASHERS, 12), ("GA-B509CQSL", FRIDGES, 12), ("OLED55C3RLA", TVS, 24),
           ("MS2042DB", MICROWAVES, 12), ("VK76W02HY", VACUUMS, 12)),
    "Indesit": (("IWSB 5085", WASHERS, 12), ("BWSE 61051", WASHERS, 12), ("ITS 4180 W", FRIDGES, 12),
                ("DSFE 1B10", DISHWASHERS, 12)),
    "Redmond": (("RMC-M90", KITCHEN, 12), ("RK-G178", KITCHEN, 12), ("RV-R650S", VACUUMS, 12)),
    "Philips": (("EP2231/40", COFFEE, 24), ("FC9332/09", VACUUMS, 24), ("HD9252/90", KITCHEN, 24)),
    "ATLANT": (("ХМ 4021-000", FRIDGES, 36), ("ХМ 4626-101", FRIDGES, 36), ("М 7204-100", FRIDGES, 36),
               ("СМА 50У108-000", WASHERS, 36)),
    "Polaris": (("PVCR 3200 IQ Home Aqua", VACUUMS, 12), ("PMC 0530 Wi-Fi IQ Home", KITCHEN, 12),
                ("PWK 1725CGLD", KITCHEN, 12), ("PCM 1540", COFFEE, 12)),
    "Xiaomi": (("Redmi Note 12", PHONES, 12), ("Xiaomi 13T", PHONES, 12), ("Robot Vacuum S10", VACUUMS, 12),
               ("Mi TV A2 43", TVS, 12), ("RedmiBook 15", LAPTOPS, 12)),
    "Gorenje": (("WNEI84APS", WASHERS, 24), ("NRK6192AW4", FRIDGES, 24), ("GV62010", DISHWASHERS, 24),
                ("MO20A3W", MICROWAVES, 24)),
    "Lenovo": (("IdeaPad 3 15ITL6", LAPTOPS, 12), ("ThinkPad E14 Gen 4", LAPTOPS, 36),
               ("Legion 5 15ACH6", LAPTOPS, 24)),
    "De'Longhi": (("ECAM 22.110.B", COFFEE, 24), ("Dinamica ECAM 350.55.B", COFFEE, 24),
                  ("EC685.M", COFFEE, 24)),
}
SELLERS = ("М.Видео", "Эльдорадо", "DNS", "Ситилинк", "Ozon", "Wildberries", "Яндекс Маркет", "Технопарк",
           "Холодильник.ру", "RBT.ru", "Ашан", "Леруа Мерлен")
# ---------------------------------------------------------------- what breaks and how it is fixed
# category -> (fault as the customer tells it, the engineer's diagnosis, what the repair was)
CASES: dict[str, tuple[tuple[str, str, str], ...]] = {
    WASHERS: (("Не сливает воду, ошибка E21", "Засор сливного насоса, износ крыльчатки", "Заменён сливной насос"),
              ("Сильно шумит при отжиме", "Износ подшипников барабана, повреждён сальник",
               "Заменены подшипники и сальник бака"),
              ("Не греет воду", "Обрыв ТЭНа", "Заменён ТЭН, проверен нагрев воды"),
              ("Не включается, индикаторы не горят", "Неисправен модуль управления (пробой симистора)",
               "Отремонтирован модуль управления")),
    FRIDGES: (("Не морозит холодильная камера", "Утечка хладагента в испарителе",
               "Устранена утечка, заправка хладагентом R600a"),
              ("Компрессор работает без остановки", "Неисправен датчик температуры", "Заменён датчик температуры"),
              ("Течёт вода под ящиками для овощей", "Засор дренажного отверстия", "Прочищен дренаж"),
              ("Намерзает лёд на задней стенке", "Неисправен нагреватель оттайки", "Заменён нагреватель оттайки")),
    DISHWASHERS: (("Не набирает воду", "Неисправен заливной клапан", "Заменён заливной клапан"),
                  ("Плохо моет посуду", "Неисправен циркуляционный насос, засор коромысел",
                   "Заменён циркуляционный насос, прочищены коромысла"),
                  ("Срабатывает аквастоп", "Протечка сливного шланга", "Заменён сливной шланг, поддон просушен")),
    LAPTOPS: (("Не включается", "Пробой цепи питания на материнской плате", "Заменён контроллер питания"),
              ("Греется и выключается", "Забита система охлаждения, высохла термопаста",
               "Чистка системы охлаждения, замена термопасты"),
              ("Не работает часть клавиш", "Следы залития клавиатуры", "Заменена клавиатура"),
              ("Разбит экран", "Механическое повреждение матрицы", "Заменена матрица")),
    PHONES: (("Не заряжается", "Окисление разъёма зарядки", "Заменён разъём зарядки"),
             ("Быстро разряжается, вздулся корпус", "Деградация аккумулятора", "Заменён аккумулятор"),
             ("Не работает сенсор, трещина экрана", "Повреждён дисплейный модуль", "Заменён дисплейный модуль"),
             ("Не слышно собеседника", "Неисправен разговорный динамик", "Заменён разговорный динамик")),
    TVS: (("Есть звук, нет изображения", "Неисправна LED-подсветка матрицы", "Заменены линейки подсветки"),
          ("Не включается, мигает индикатор", "Неисправен блок питания", "Отремонтирован блок питания"),
          ("Вертикальные полосы на экране", "Дефект шлейфа матрицы", "Заменён шлейф матрицы")),
    VACUUMS: (("Слабая тяга", "Износ щёток электродвигателя", "Заменён электродвигатель"),
              ("Не заряжается от базы", "Окисление контактов, деградация аккумулятора",
               "Заменён аккумулятор, зачищены контакты"),
              ("Выключается через минуту работы", "Срабатывает термозащита двигателя",
               "Заменён термопредохранитель, прочищены фильтры")),
    MICROWAVES: (("Работает, но не греет", "Неисправен магнетрон", "Заменён магнетрон"),
                 ("Искрит внутри камеры", "Прогорела слюдяная пластина", "Заменена слюдяная пластина"),
                 ("Не вращается тарелка", "Неисправен мотор привода поддона", "Заменён мотор привода")),
    COFFEE: (("Не подаёт воду", "Износ помпы, накипь в гидросистеме", "Заменена помпа, проведена декальцинация"),
             ("Течёт под машиной", "Износ уплотнителей заварочного блока", "Заменены уплотнители"),
             ("Не мелет кофе", "Заклинило жернова кофемолки", "Прочищена и отрегулирована кофемолка")),
    KITCHEN: (("Не включается", "Сгорел термопредохранитель", "Заменён термопредохранитель"),
              ("Не нагревается", "Обрыв нагревательного элемента", "Заменён нагревательный элемент"),
              ("Не реагирует на кнопки", "Неисправна плата управления", "Заменена плата управления")),
}
ACCESSORIES = {
    WASHERS: ("Сливной шланг", "Заливной шланг"), FRIDGES: ("Полки (3 шт.)", "Ящик для овощей"),
    DISHWASHERS: ("Корзина для столовых приборов",), LAPTOPS: ("Зарядное устройство", "Сумка", "Мышь"),
    PHONES: ("Чехол", "Зарядное устройство", "Коробка"), TVS: ("Пульт ДУ", "Подставка"),
    VACUUMS: ("Шланг", "Щётка-насадка", "Зарядная база"), MICROWAVES: ("Стеклянный поддон", "Роллер"),
    COFFEE: ("Поддон", "Капучинатор"), KITCHEN: ("Чаша", "Шнур питания"),
}
CONDITIONS = ("Без видимых повреждений", "Б/у, следы эксплуатации", "Потёртости и мелкие царапины на корпусе",
              "Скол на корпусе", "Вмятина на боковой панели", "Загрязнён", "Трещина на задней крышке",
              "Без упаковки")
CANCEL_REASONS = {
    RepairState.REGISTERED: ("Клиент передумал", "Клиент не пришёл в назначенное время", "Дубль заявки"),
    RepairState.RECEIVED: ("Клиент забрал аппарат до диагностики", "Неисправность не подтвердилась при приёмке"),
    None: ("Клиент не выходит на связь более 30 дней", "Клиент забрал аппарат до окончания ремонта",
           "Передано в авторизованный сервис производителя"),
}
REVISIONS = ("При диагностике обнаружены следы вскрытия — гарантия снята",
             "Механические повреждения и следы залития — случай не гарантийный",
             "Нарушены условия эксплуатации (скачок напряжения в сети)")
COMMENTS = {
    Role.INTAKE: ("Клиент просит сообщать о ходе ремонта по SMS", "Клиент предупреждён: диагностика до 3 дней"),
    Role.ENGINEER: ("Запчасть заказана у поставщика, ориентировочно 7–10 дней",
                    "Нужна консультация техподдержки производителя", "Тестовый прогон 2 часа, замечаний нет"),
    Role.CALL_CENTER: ("Клиент звонил, уточнял сроки ремонта", "Клиент просит перезвонить после 18:00"),
    Role.TEAM_LEAD: ("Срок ремонта на контроле", "Приоритет повышен по просьбе клиента"),
    Role.PARTNER: ("Клиент звонил, уточнял сроки", "Запчасть запрошена у головного офиса"),
}
# ---------------------------------------------------------------- people
MALE = ("Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим", "Владимир", "Дмитрий", "Евгений",
        "Иван", "Игорь", "Кирилл", "Максим", "Михаил", "Николай", "Олег", "Павел", "Роман", "Сергей")
FEMALE = ("Алина", "Анастасия", "Анна", "Валентина", "Виктория", "Галина", "Дарья", "Елена", "Ирина", "Ксения",
          "Людмила", "Марина", "Мария", "Наталья", "Ольга", "Светлана", "Татьяна", "Юлия", "Вера", "Полина")
PATRONYMICS = (("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"), ("Андреевич", "Андреевна"),
               ("Викторович", "Викторовна"), ("Владимирович", "Владимировна"), ("Дмитриевич", "Дмитриевна"),
               ("Иванович", "Ивановна"), ("Игоревич", "Игоревна"), ("Михайлович", "Михайловна"),
               ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"), ("Петрович", "Петровна"),
               ("Сергеевич", "Сергеевна"), ("Юрьевич", "Юрьевна"))
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
            "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Белов", "Тарасов", "Белоусов",
            "Комаров", "Киселёв", "Шевченко", "Ковальчук", "Савицкий", "Хайруллин", "Сафин", "Галиев", "Ахметов")
COMPANY_NAMES = ("Техномир", "Вектор", "Гранит", "Альянс", "Электрон", "Стройресурс", "Орион", "Меридиан",
                 "Домовой", "Полюс", "Кристалл", "Сфера", "Горизонт", "Прогресс", "Эверест", "Импульс",
                 "Кофейня на Набережной", "Гостиница Волга", "Клиника Здоровье", "Пекарня Каравай")
CITY_LIFE = {  # center -> (mobile codes, landline code, streets)
    "MSK": (("915", "916", "903", "925", "977", "985"), "495",
            ("ул. Профсоюзная", "Ленинский пр-т", "ул. Академика Королёва", "Каширское ш.", "ул. Бутырская")),
    "SPB": (("911", "921", "931", "981", "905"), "812",
            ("Невский пр-т", "ул. Савушкина", "пр-т Просвещения", "Лиговский пр-т", "ул. Типанова")),
    "KZN": (("917", "987", "927", "960"), "843",
            ("ул. Баумана", "пр-т Победы", "ул. Чистопольская", "ул. Пушкина", "ул. Островского")),
    "EKB": (("912", "922", "950", "982"), "343",
            ("ул. Ленина", "ул. 8 Марта", "ул. Куйбышева", "ул. Белинского", "ул. Вайнера")),
}
_TRANSLIT = str.maketrans({**dict(zip("абвгдеёзийклмнопрстуфыэ", "abvgdeeziyklmnoprstufye", strict=True)),
                           "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "",
                           "ю": "yu", "я": "ya"})
S = RepairState
D, AA, AP, IR, RP, IS, C = (S.DIAGNOSIS, S.AWAITING_APPROVAL, S.AWAITING_PARTS, S.IN_REPAIR,
                            S.READY_FOR_PICKUP, S.ISSUED, S.CANCELLED)
# Share of each final state among a center's orders (every state gets at least one).
STATE_WEIGHTS = {S.REGISTERED: 5, S.RECEIVED: 8, D: 10, AA: 6, AP: 9, IR: 10, RP: 9, IS: 35, C: 8}
# Waypoints to each final state, weighted: paid work goes through an estimate, warranty work does
# not (unless the warranty is revised at diagnosis); ready orders were repaired, declined or closed.
_READY_PAID = (((D, AA, IR, RP), 4), ((D, AA, AP, IR, RP), 2), ((D, AA, RP), 2), ((D, RP), 1))
_READY_WARRANTY = (((D, IR, RP), 4), ((D, AP, IR, RP), 3), ((D, RP), 1), ((D, AA, IR, RP), 1))
ROUTES: dict[bool, dict[RepairState, tuple[tuple[tuple[RepairState, ...], int], ...]]] = {
    True: {S.REGISTERED: (((), 1),), S.RECEIVED: (((S.RECEIVED,), 1),), D: (((D,), 1),), AA: (((D, AA), 1),),
           AP: (((D, AA, AP), 3), ((D, AA, IR, AP), 1)), IR: (((D, AA, IR), 3), ((D, AA, AP, IR), 2)),
           RP: _READY_PAID, IS: tuple((r + (IS,), w) for r, w in _READY_PAID),
           C: (((C,), 3), ((D, C), 1), ((D, AA, C), 2), ((D, AA, AP, C), 1))},
    False: {S.REGISTERED: (((), 1),), S.RECEIVED: (((S.RECEIVED,), 1),), D: (((D,), 1),), AA: (((D, AA), 1),),
            AP: (((D, AP), 3), ((D, IR, AP), 1)), IR: (((D, IR), 3), ((D, AP, IR), 2)),
            RP: _READY_WARRANTY, IS: tuple((r + (IS,), w) for r, w in _READY_WARRANTY),
            C: (((C,), 3), ((D, C), 1), ((D, AP, C), 1))},
}


@dataclass
class _Hub:
    """A center of the demo with its staff and the customers and units of its city."""

    spec: _CenterSpec
    center: ServiceCenter
    staff: dict[Role, list[User]] = field(default_factory=dict)
    customers: list[Customer] = field(default_factory=list)
    units: list[tuple[Unit, ProductModel, Customer]] = field(default_factory=list)
    repaired: list[tuple[Unit, ProductModel, Customer, str]] = field(default_factory=list)

    def first(self, role: Role) -> User:
        return self.staff[role][0]


def is_empty(session: Session) -> bool:
    """True when the database has no service center yet (the demo may be loaded)."""
    return session.scalar(select(ServiceCenter.id).limit(1)) is None


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """(role, e-mail, center code) of the demo users worth trying, in role order; only those that exist."""
    emails = [f"{local}@{DEMO_DOMAIN}" for local in LOGINS]
    users = session.scalars(select(User).where(User.email.in_(emails), User.active.is_(True))).all()
    roles = list(Role)
    users = sorted(users, key=lambda u: (roles.index(u.role), emails.index(u.email)))
    return [(u.role.value, u.email, u.center.code) for u in users]


def load_demo(session: Session, seed: int = 2026) -> dict[str, int]:
    """Build the demo network into an empty database; returns what was made, for the summary line."""
    if not is_empty(session):
        raise ValidationFailed(N_("The database already has service centers; the demo loads only into an empty one"))
    from servicecenter.notifications.services import keep_quiet

    keep_quiet(session)  # the demo's customers have made-up addresses at real mail providers: mail nobody
    rng = random.Random(seed)
    today = local_date(utcnow(), "Europe/Moscow")
    models = _load_catalogue(session)
    hubs = _load_centers(session, rng, models)
    for code, role, local, name in STAFF:
        hubs[code].staff.setdefault(role, []).append(create_user(
            session, None, email=f"{local}@{DEMO_DOMAIN}", password=DEMO_PASSWORD, role=role,
            center=hubs[code].center, name=name))
    load_demo_rate_cards(session, hubs["HQ"].first(Role.ADMIN), today.year)
    _load_customers(session, rng, hubs, models, today)
    _load_deadlines(session, hubs, today)
    _load_orders(session, rng, hubs, today)
    load_demo_codes(session, CASES)  # after the orders: their finished ones predate the checklists
    load_demo_stock(session, rng, {code: hub.first(Role.WAREHOUSE) for code, hub in hubs.items()
                                   if hub.staff.get(Role.WAREHOUSE)})
    load_demo_partners(session)
    counted = {"centers": ServiceCenter, "locations": Location, "users": User, "manufacturers": Manufacturer,
               "models": ProductModel, "customers": Customer, "units": Unit, "orders": RepairOrder,
               "events": RepairEvent, "parts": Part}
    return {key: session.scalar(select(func.count()).select_from(cls)) or 0 for key, cls in counted.items()}


# Federal days off (month, day) and the demo centers' deadline rules: (center, brand or None,
# applies to, diagnosis days, unit, repair days, unit, margin hours, pause in transit).
_HOLIDAYS = ((1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (2, 23), (3, 8), (5, 1), (5, 9),
             (6, 12), (11, 4))
_RULES = (
    ("MSK", None, "any", 2, "business", 20, "calendar", 24, False),
    ("MSK", None, "warranty", 3, "business", 30, "calendar", 48, False),
    ("MSK", "Bosch", "any", 1, "business", 14, "business", 12, False),
    ("SPB", None, "any", 3, "calendar", 21, "calendar", 24, False),
    ("KZN", None, "any", 3, "business", 25, "calendar", 48, True),
)


def _load_deadlines(session: Session, hubs: dict[str, _Hub], today: date) -> None:
    """The network's holidays and a few deadline rules, so that the demo orders show their due dates."""
    from servicecenter.deadlines.rules import add_calendar_day, save_rule

    admin = next(hub for hub in hubs.values() if hub.spec.is_head_office).staff[Role.ADMIN][0]
    for year in (today.year, today.year + 1):
        for month, day in _HOLIDAYS:
            add_calendar_day(session, admin, center_id=None, day=date(year, month, day), name="Государственный праздник")
    makers = {m.name: m.id for m in session.scalars(select(Manufacturer))}
    for code, brand, applies, diag, diag_unit, repair, repair_unit, margin, transit in _RULES:
        if code in hubs:
            save_rule(session, admin, center_id=hubs[code].center.id, manufacturer_id=makers.get(brand or ""),
                      applies_to=applies, diagnosis_days=diag, diagnosis_unit=diag_unit, repair_days=repair,
                      repair_unit=repair_unit, margin=margin, margin_unit="hours", pause_on_approval=True,
                      pause_in_transit=transit)


def _load_catalogue(session: Session) -> dict[str, list[ProductModel]]:
    models: dict[str, list[ProductModel]] = {}
    for name, country, months, _template in MANUFACTURERS:
        maker = Manufacturer(name=name, country=country, default_warranty_months=months)
        session.add(maker)
        session.flush()
        models[name] = [ProductModel(manufacturer_id=maker.id, name=model, category=category, warranty_months=m)
                        for model, category, m in MODELS[name]]
        session.add_all(models[name])
    session.flush()
    return models


def _load_centers(session: Session, rng: random.Random, models: dict[str, list[ProductModel]]) -> dict[str, _Hub]:
    makers = {m.name: m for m in session.scalars(select(Manufacturer))}
    hubs: dict[str, _Hub] = {}
    for spec in CENTERS:
        center = ServiceCenter(code=spec.code, name=spec.name, kind=spec.kind, city=spec.city, region=spec.region,
                               address=spec.address, phone=spec.phone, email=f"{spec.code.lower()}@{DEMO_DOMAIN}",
                               timezone=spec.timezone, hours=spec.hours, is_head_office=spec.is_head_office)
        center.brands = [makers[name] for name in (spec.brands or list(models))]
        session.add(center)
        session.flush()
        warehouse = Location(code=f"{spec.code}-WH", name=f"Основной склад {spec.city}", kind=LocationKind.WAREHOUSE,
                             center_id=center.id, is_main=True)
        session.add(warehouse)
        session.flush()
        for n in range(rng.randint(3, 6)):
            row, place = "ABC"[n // 2], n % 2 + 1
            session.add(Location(code=f"{spec.code}-{row}-{place:02d}", name=f"Стеллаж {row}, полка {place}",
                                 kind=LocationKind.SHELF, center_id=center.id, parent_id=warehouse.id))
        hubs[spec.code] = _Hub(spec, center)
    session.flush()
    return hubs


def _phone(rng: random.Random, code: str) -> str:
    digits = f"{rng.randint(100, 999)}{rng.randint(10, 99)}{rng.randint(10, 99)}"
    style = rng.randrange(3)
    if style == 0:
        return f"+7 ({code}) {digits[:3]}-{digits[3:5]}-{digits[5:]}"
    if style == 1:
        return f"8 {code} {digits[:3]} {digits[3:5]} {digits[5:]}"
    return f"+7{code}{digits}"


def _person(rng: random.Random) -> tuple[str, str]:
    """A full name (Фамилия Имя Отчество) and its Latin e-mail stem."""
    surname = rng.choice(SURNAMES)
    patronymic = rng.choice(PATRONYMICS)
    if rng.random() < 0.5:
        first, second = rng.choice(MALE), patronymic[0]
    else:
        first, second = rng.choice(FEMALE), patronymic[1]
        if surname.endswith(("ов", "ев", "ёв", "ин")):
            surname += "а"
        elif surname.endswith("ий"):
            surname = surname[:-2] + "ая"
    stem = f"{first[0]}.{surname}".lower().translate(_TRANSLIT)
    return f"{surname} {first} {second}", stem


def _serial(rng: random.Random, template: str) -> str:
    pick = {"#": "0123456789", "@": "ABCDEFGHJKLMNPRSTUVWXYZ", "*": "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"}
    return "".join(rng.choice(pick[ch]) if ch in pick else ch for ch in template)


def _load_customers(session: Session, rng: random.Random, hubs: dict[str, _Hub],
                    models: dict[str, list[ProductModel]], today: date) -> None:
    repair_hubs = [hub for hub in hubs.values() if hub.spec.orders]
    weights = [hub.spec.orders for hub in repair_hubs]
    templates = {name: template for name, _c, _m, template in MANUFACTURERS}
    phones: set[str] = set()
    serials: set[tuple[str, str]] = set()
    companies = list(COMPANY_NAMES)
    rng.shuffle(companies)
    for n in range(CUSTOMERS):
        hub = rng.choices(repair_hubs, weights)[0] if n >= len(repair_hubs) else repair_hubs[n]
        mobiles, landline, streets = CITY_LIFE[hub.spec.code]
        kind = CustomerKind.COMPANY if n % 10 == 9 else CustomerKind.PERSON
        name, stem = _person(rng)
        if kind == CustomerKind.COMPANY:
            name = f"{rng.choice(('ООО', 'АО'))} «{companies.pop()}»" if companies else f"ИП {name}"
        phone = _phone(rng, landline if kind == CustomerKind.COMPANY else rng.choice(mobiles))
        while phone[-7:] in phones:
            phone = _phone(rng, rng.choice(mobiles))
        phones.add(phone[-7:])
        email = ""
        if kind == CustomerKind.PERSON and rng.random() < 0.4:
            email = f"{stem}{rng.randint(1, 99)}@{rng.choice(('mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru'))}"
        customer = create_customer(session, name=name, phone=phone, email=email, kind=kind)
        # No service takes the address yet; it is plain contact data, not history.
        customer.address = f"г. {hub.spec.city}, {rng.choice(streets)}, д. {rng.randint(1, 120)}" + (
            f", кв. {rng.randint(1, 300)}" if kind == CustomerKind.PERSON else f", офис {rng.randint(1, 40)}")
        hub.customers.append(customer)
    # Everyone owns at least one unit; some own several (a family, an office).
    owners = [(hub, customer) for hub in repair_hubs for customer in hub.customers]
    for hub, owner in owners + rng.choices(owners, k=UNITS - len(owners)):
        brand = rng.choice(hub.spec.brands or list(models))
        model = rng.choice(models[brand])
        serial = _serial(rng, templates[brand])
        while (brand, serial) in serials:
            serial = _serial(rng, templates[brand])
        serials.add((brand, serial))
        bought = None if rng.random() < 0.12 else today - timedelta(days=rng.randint(3, 3 * 365))
        unit = register_unit(session, model=model, serial=serial, owner=owner, purchase_date=bought,
                             seller=rng.choice(SELLERS) if bought else "", today=today)
        hub.units.append((unit, model, owner))


def _load_orders(session: Session, rng: random.Random, hubs: dict[str, _Hub], today: date) -> None:
    operators = next(hub for hub in hubs.values() if hub.spec.is_head_office).staff[Role.CALL_CENTER]
    plan: list[tuple[_Hub, RepairState, bool]] = []
    comebacks: list[tuple[_Hub, RepairState, bool]] = []
    for hub in hubs.values():
        if not hub.spec.orders:
            continue
        total = round(ORDERS * hub.spec.orders / 100)
        counts = {state: max(1, round(w * total / 100)) for state, w in STATE_WEIGHTS.items()}
        counts[IS] = max(1, counts[IS] + total - sum(counts.values()))
        targets = [state for state, n in counts.items() for _ in range(n)]
        rng.shuffle(targets)
        rng.shuffle(hub.units)
        plan += [(hub, state, False) for state in targets[2:]]
        # Two per center come back after an earlier repair: they are made last.
        comebacks += [(hub, state, True) for state in targets[:2]]
    rng.shuffle(plan)
    for hub, target, comeback in plan + comebacks:
        if not hub.units and not (comeback and hub.repaired):
            continue  # a small demo ran out of this city's units
        _make_order(session, rng, hub, rng.choice(operators), target, today, comeback and bool(hub.repaired))


def _warranty_terms(rng: random.Random, model: ProductModel, unit: Unit, customer: Customer,
                    today: date) -> tuple[OrderType, bool, str]:
    """Order type and the counter's warranty decision, from the purchase date and the model's term."""
    if customer.kind == CustomerKind.COMPANY and unit.purchase_date is None:
        return OrderType.PRESALE, False, "Предпродажная проверка по договору с продавцом"
    end = warranty_end(unit.purchase_date, model.warranty_months)
    if end is None:
        return OrderType.PAID, False, "Нет документов о покупке, гарантия не подтверждена"
    if end >= today:
        return OrderType.WARRANTY, True, rng.choice(("Гарантийный талон и чек в наличии, гарантия до ",
                                                     "Гарантия производителя, пломбы целы, до ")) + f"{end:%d.%m.%Y}"
    return OrderType.PAID, False, f"Гарантийный срок истёк {end:%d.%m.%Y}"


def _route(rng: random.Random, paid: bool, target: RepairState) -> tuple[RepairState, ...]:
    options = ROUTES[paid][target]
    return rng.choices([route for route, _ in options], [weight for _, weight in options])[0]


def _picker(rng: random.Random, hub: _Hub, engineer: User, operator: User) -> ActorFor:
    """Who takes each step: at a partner its one person; at our centers the usual desk for the step."""
    if hub.spec.kind == CenterKind.PARTNER:
        return role_picker({Role.PARTNER: engineer})
    users: dict[Role, User] = {}
    if rng.random() < 0.3:
        users[Role.CALL_CENTER] = operator  # the customer's answer to an estimate came by phone
    users[Role.INTAKE] = hub.first(Role.INTAKE)
    if rng.random() < 0.5:
        users[Role.WAREHOUSE] = hub.first(Role.WAREHOUSE)  # the clerk who booked the parts in
    users[Role.ENGINEER] = engineer
    users[Role.TEAM_LEAD] = hub.first(Role.TEAM_LEAD)
    users.setdefault(Role.CALL_CENTER, operator)
    return role_picker(users)


DECLINES = ("Клиент отказался от платного ремонта: дорого", "Клиент решил купить новый аппарат")
CLOSINGS = ({"outcome": "unrepairable", "outcome_note": "Ремонт нецелесообразен: стоимость выше 70% цены нового"},
            {"outcome": "refused", "outcome_note": "Клиент отказался от ремонта после диагностики"})


def _fields(rng: random.Random, case: tuple[str, str, str], diagnosis: str, kind: OrderType,
            route: tuple[RepairState, ...]) -> dict[str, Any]:
    """What the people on the way would have typed at each step of this order."""
    note = "Проверка пройдена, замечаний нет" if kind == OrderType.PRESALE else case[2]
    finish = {"outcome": "repaired", "outcome_note": note + rng.choice(("", ", проверено под нагрузкой 2 часа"))}
    roll = rng.random()
    if kind == OrderType.WARRANTY and AA not in route and roll < 0.08:  # still under warranty at the end
        finish = {"outcome": "replaced", "outcome_note": "Аппарат заменён на новый по гарантии, оформлен акт замены"}
    elif roll > 0.96:
        finish = {"outcome": "unrepairable", "outcome_note": "Ремонт невозможен: запчасть снята с производства"}
    return {
        "request_approval": {"estimate_total": f"{rng.randrange(12, 190) * 100}.00", "diagnosis": diagnosis},
        "start_repair": {"diagnosis": diagnosis},
        "wait_for_parts": {"diagnosis": f"{diagnosis}; запчасть под заказ"},
        "close_without_repair": {**rng.choice(CLOSINGS), "diagnosis": diagnosis},
        "decline": {"outcome": "refused", "outcome_note": rng.choice(DECLINES)},
        "finish": finish,
    }


def _make_order(session: Session, rng: random.Random, hub: _Hub, operator: User, target: RepairState,
                today: date, comeback: bool) -> None:
    """One order of `hub`, created at the counter or by phone and walked to `target` by its people."""
    partner = hub.spec.kind == CenterKind.PARTNER
    if comeback:
        unit, model, customer, fault = hub.repaired.pop(rng.randrange(len(hub.repaired)))
        fault = f"Неисправность повторилась после ремонта: {fault[0].lower()}{fault[1:]}"
        kind, covered, reason = OrderType.REPEAT, True, "Повторное обращение в течение гарантии на ремонт (90 дней)"
    else:
        unit, model, customer = hub.units.pop()
        kind, covered, reason = _warranty_terms(rng, model, unit, customer, today)
        fault = ""
    case = rng.choice(CASES[model.category])
    fault = fault or ("Предпродажная проверка" if kind == OrderType.PRESALE else case[0])
    diagnosis = "Аппарат исправен, проверен во всех режимах" if kind == OrderType.PRESALE else case[1]
    route = _route(rng, kind == OrderType.PAID, target)
    pre = target == S.REGISTERED or rng.random() < (0.4 if route == (C,) else 0.1)
    if pre and route in ((), (C,)) and rng.random() < 0.6:
        unit = None  # a phone call: nobody has read the serial yet
    counter = hub.first(Role.PARTNER if partner else Role.INTAKE)
    clerk = operator if pre and not partner and rng.random() < 0.7 else counter
    at_counter = not pre and rng.random() < 0.5
    order = create_order(
        session, clerk, center=hub.center, customer=customer, unit=unit, fault=fault, pre_register=pre,
        condition="" if pre else "; ".join(rng.sample(CONDITIONS, rng.randint(1, 2))),
        accessories=[] if pre else rng.sample(ACCESSORIES[model.category], rng.randint(0, len(ACCESSORIES[model.category]))),
        order_type=kind, priority=rng.choices(list(Priority), (8, 70, 15, 7))[0],
        warranty_covered=covered if at_counter else None, warranty_reason=reason if at_counter else "")
    engineer = rng.choice(hub.staff[Role.PARTNER] if partner else hub.staff[Role.ENGINEER])
    pick = _picker(rng, hub, engineer, operator)
    fields = _fields(rng, case, diagnosis, kind, route)
    if route and route[0] != C and order.state == S.REGISTERED:
        advance_to(session, order, S.RECEIVED, pick)
    if order.state == S.RECEIVED and not at_counter:
        decide_warranty(session, order, counter, covered=covered, reason=reason)
    if D in route:
        lead = counter if partner else hub.first(Role.TEAM_LEAD)
        assign_engineer(session, order, engineer, lead)
    for waypoint in route:
        if waypoint == C:
            fields["cancel"] = {"reason": rng.choice(CANCEL_REASONS.get(order.state, CANCEL_REASONS[None]))}
        if waypoint == AA and order.warranty_covered:
            decide_warranty(session, order, engineer, covered=False, reason=rng.choice(REVISIONS))
        advance_to(session, order, waypoint, pick, fields)
    if rng.random() < 0.35:
        for _ in range(rng.randint(1, 2)):
            role = Role.PARTNER if partner else rng.choice(
                (Role.INTAKE, Role.CALL_CENTER, Role.TEAM_LEAD) + ((Role.ENGINEER,) if D in route else ()))
            author = {Role.CALL_CENTER: operator, Role.ENGINEER: engineer}.get(role) or hub.first(role)
            add_comment(session, order, author, rng.choice(COMMENTS[role]))
    if order.state == IS and order.outcome == Outcome.REPAIRED and unit is not None:
        hub.repaired.append((unit, model, customer, case[0]))
