"""Pure rendering: frozen dataclasses in, PDF/PNG/ZPL bytes out (no database, clock or network).

    from printing import WorkOrderDoc, render_work_order
    pdf: bytes = render_work_order(doc)

Every document has a data class (plain values only) and a renderer. Nothing here imports
servicecenter, SQLAlchemy or Flask; the domain maps its models onto these classes.
"""

from printing.act import render_act
from printing.barcodes import QUIET_MODULES, check_barcode_value
from printing.conclusion import render_conclusion
from printing.documents import (
    ActDoc,
    ActLine,
    CenterInfo,
    ConclusionDoc,
    CustomerInfo,
    UnitInfo,
    WorkOrderDoc,
)
from printing.fonts import register_fonts
from printing.formatting import format_amount, format_date, format_datetime, format_money, format_quantity
from printing.label_pdf import render_label_pdf, render_labels_pdf
from printing.label_png import render_label_png
from printing.label_zpl import render_label_zpl, render_labels_zpl
from printing.labels import (
    FAULT,
    INTAKE_DATE,
    LABEL_2X1IN,
    LABEL_50X30,
    LABEL_58X30,
    LABEL_58X40,
    LABEL_225X125IN,
    LABEL_FIELDS,
    MODEL,
    PRESETS,
    SERIAL,
    LabelDoc,
    LabelProfile,
    labels_with_accessories,
)
from printing.work_order import render_work_order, render_work_orders

__all__ = [
    "FAULT",
    "INTAKE_DATE",
    "LABEL_2X1IN",
    "LABEL_50X30",
    "LABEL_58X30",
    "LABEL_58X40",
    "LABEL_225X125IN",
    "LABEL_FIELDS",
    "MODEL",
    "PRESETS",
    "QUIET_MODULES",
    "SERIAL",
    "ActDoc",
    "ActLine",
    "CenterInfo",
    "ConclusionDoc",
    "CustomerInfo",
    "LabelDoc",
    "LabelProfile",
    "UnitInfo",
    "WorkOrderDoc",
    "check_barcode_value",
    "format_amount",
    "format_date",
    "format_datetime",
    "format_money",
    "format_quantity",
    "labels_with_accessories",
    "register_fonts",
    "render_act",
    "render_conclusion",
    "render_label_pdf",
    "render_label_png",
    "render_label_zpl",
    "render_labels_pdf",
    "render_labels_zpl",
    "render_work_order",
    "render_work_orders",
]
