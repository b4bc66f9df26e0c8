"""Realistic Russian sample documents, for tests, benchmarks and eyeballing a layout change.

    .venv/bin/python -m printing.samples /tmp/print-preview   # writes every document there
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from printing.documents import (
    ActDoc,
    ActLine,
    CenterInfo,
    ConclusionDoc,
    CustomerInfo,
    UnitInfo,
    WorkOrderDoc,
)
from printing.labels import LABEL_58X40, LabelDoc, labels_with_accessories

NUMBER = "MSK-2026-000123"

TERMS = """\
1. Диагностика проводится в срок до 3 рабочих дней с даты приёма. О результатах диагностики и \
стоимости платного ремонта сервисный центр сообщает по телефону; ремонт начинается только после \
согласия клиента.

2. Срок гарантийного ремонта — не более 45 дней (ст. 20 Закона РФ «О защите прав потребителей»).

3. Сервисный центр не отвечает за сохранность данных на носителях изделия. Перед сдачей в ремонт \
клиент сам делает резервную копию.

4. Изделие выдаётся по предъявлении этого заказа-наряда и документа, удостоверяющего личность. \
Изделие, не востребованное в течение 30 дней после уведомления о готовности, передаётся на платное \
хранение."""


def center() -> CenterInfo:
    return CenterInfo(
        name="Сервисный центр «ТехноМир» — Москва, Тверская",
        address="125009, г. Москва, ул. Тверская, д. 7, стр. 2",
        phone="+7 495 123-45-67",
        hours="пн–пт 9:00–20:00, сб 10:00–17:00",
        legal="ООО «ТехноМир», ИНН 7701234567, ОГРН 1157746123456",
    )


def customer() -> CustomerInfo:
    return CustomerInfo(name="Иванов Иван Иванович", phone="+7 900 123-45-67", email="ivanov@example.ru")


def unit() -> UnitInfo:
    return UnitInfo(manufacturer="ASUS", model="VivoBook 15 X515EA", serial="K9N0CV12345678",
                    purchase_date=date(2025, 3, 14), seller="ООО «М.Видео Менеджмент»")


def work_order(number: str = NUMBER, copies: int = 1) -> WorkOrderDoc:
    return WorkOrderDoc(
        number=number,
        center=center(),
        created=datetime(2026, 3, 12, 14, 5),
        customer=customer(),
        unit=unit(),
        warranty_covered=True,
        warranty_reason="Гарантия до 14.03.2027 (24 мес. с даты покупки 14.03.2025).",
        fault="Не включается, индикатор питания не горит. Со слов клиента — после обновления BIOS.",
        condition="Потёртости на крышке, скол на левом нижнем углу корпуса. Дисплей без царапин.",
        accessories=("Зарядное устройство 65 Вт", "Сумка"),
        priority="Обычная",
        order_type="Гарантийный ремонт",
        terms=TERMS,
        clerk="Петрова А. С.",
        copies=copies,
    )


def label(number: str = NUMBER) -> LabelDoc:
    return LabelDoc(number=number, serial="K9N0CV12345678", model="ASUS VivoBook 15 X515EA",
                    fault="Не включается после обновления BIOS", intake_date=date(2026, 3, 12),
                    profile=LABEL_58X40)


def act(number: str = NUMBER) -> ActDoc:
    works = (
        ActLine(description="Диагностика материнской платы", qty=Decimal("1"), price=Decimal("1500"),
                amount=Decimal("1500.00")),
        ActLine(description="Восстановление BIOS программатором", qty=Decimal("1"), price=Decimal("2200.50"),
                amount=Decimal("2200.50")),
        ActLine(description="Чистка системы охлаждения, замена термопасты", qty=Decimal("1"),
                price=Decimal("1200"), amount=Decimal("1200.00")),
    )
    parts = (
        ActLine(description="Микросхема флеш-памяти W25Q128JVSIQ", qty=Decimal("1"), price=Decimal("650"),
                amount=Decimal("650.00")),
        ActLine(description="Термопаста Arctic MX-4, 4 г", qty=Decimal("0.5"), price=Decimal("899"),
                amount=Decimal("449.50"), measure="уп."),
    )
    return ActDoc(
        number=number,
        center=center(),
        issued=date(2026, 3, 20),
        order_number=number,
        order_date=date(2026, 3, 12),
        customer=customer(),
        unit=unit(),
        works=works,
        parts=parts,
        total=Decimal("6000.00"),
        vat_rate=Decimal("20"),
        vat=Decimal("1000.00"),
        payment="Оплачено банковской картой 20.03.2026, 6 000,00 ₽.",
        outcome="BIOS восстановлен, изделие включается, тесты пройдены (нагрузочный тест 30 мин).",
        repair_warranty="90 дней на выполненные работы и установленные запчасти, до 18.06.2026.",
        executor="Сидоров П. П.",
    )


def conclusion(number: str = NUMBER) -> ConclusionDoc:
    return ConclusionDoc(
        number=f"ТЗ-{number}",
        center=center(),
        issued=date(2026, 3, 18),
        order_number=number,
        order_date=date(2026, 3, 12),
        customer=customer(),
        unit=replace(unit(), model="VivoBook 15 X515EA (90NB0TY1-M04560)"),
        fault="Не включается, индикатор питания не горит.",
        findings="Следы попадания жидкости на материнскую плату, коррозия в цепях питания процессора, "
                 "выгорание ШИМ-контроллера. Гарантийные пломбы нарушены.",
        conclusion="Неисправность вызвана попаданием жидкости — нарушение правил эксплуатации. "
                   "Случай не гарантийный. Ремонт экономически нецелесообразен: стоимость замены "
                   "материнской платы превышает 70 % стоимости нового изделия.",
        recommendations="Замена изделия. Данные с накопителя можно перенести по отдельной заявке.",
        engineer="Кузнецов Д. А.",
        approved_by="Смирнова Е. В.",
    )


def main(out: Path) -> None:
    from printing import (
        render_act,
        render_conclusion,
        render_label_pdf,
        render_label_png,
        render_label_zpl,
        render_labels_pdf,
        render_work_order,
    )

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "work-order.pdf": render_work_order(work_order()),
        "work-order-2-copies.pdf": render_work_order(work_order(copies=2)),
        "label.pdf": render_label_pdf(label()),
        "labels-with-accessories.pdf": render_labels_pdf(labels_with_accessories(label(), work_order().accessories)),
        "label-203dpi.png": render_label_png(label(), dpi=203),
        "label-300dpi.png": render_label_png(label(), dpi=300),
        "label.zpl": render_label_zpl(label()),
        "act.pdf": render_act(act()),
        "conclusion.pdf": render_conclusion(conclusion()),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "print-preview"))
