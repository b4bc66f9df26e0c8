"""The bench's records at scale: diagnosis codes per category, coded diagnoses and labour logged.

Read back from the orders already loaded (COPY ... TO STDOUT, one pass in id order):

- `diagnosis_codes`: per product category ~15 symptom, ~20 cause and ~10 action codes
  (`S-WAT-01`: kind, group, number), the category's own plus a few every category has;
- `order_diagnoses`: one per order that got past diagnosis (`repair_orders.diagnosis` set), its
  symptom skewed per model (a few symptoms dominate each model, so "top 3 per model" means
  something), a cause of the same group as the symptom (skewed per model too), the cause's action
  for repaired or replaced orders, recorded by the order's engineer between received and ready;
- `work_logs`: 1-4 entries per order in or after repair (in repair now, or finished: repaired,
  replaced, unrepairable) by its engineer on local days between received and ready (or now),
  15-240 minutes each.
"""

from __future__ import annotations

import random
from itertools import accumulate

import psycopg

from bench.gen_network import CATEGORIES, Network
from bench.pgload import NULL, CopyStream, Timestamps, escape, libpq_url
from bench.plan import DAY

# ---------------------------------------------------------------- the code catalogue
# Per category: actions by key (group, name); symptoms (group, name); causes (group, name, action key).
# A symptom's causes are those of its group; every category also has the COMMON_* codes.
COMMON_ACTIONS = {
    "nff": ("GEN", "Проверка во всех режимах, дефект не выявлен"),
    "swap": ("GEN", "Аппарат заменён на новый по гарантии"),
    "board": ("CTL", "Плата очищена от окислов, восстановлены дорожки"),
    "fw": ("CTL", "Обновлено программное обеспечение"),
}
COMMON_SYMPTOMS = (("PWR", "Самопроизвольно выключается во время работы"),
                   ("CTL", "Не реагирует на кнопки управления"),
                   ("GEN", "Жалоб нет: предпродажная проверка"))
COMMON_CAUSES = (("GEN", "Дефект не выявлен", "nff"),
                 ("CTL", "Следы попадания жидкости, окисление платы", "board"),
                 ("CTL", "Сбой программного обеспечения", "fw"),
                 ("GEN", "Нарушение условий эксплуатации (скачок напряжения)", "board"))
PRESALE_SYMPTOM, NO_FAULT = "Жалоб нет: предпродажная проверка", "Дефект не выявлен"

CATALOGUE: dict[str, dict] = {
    "Стиральные машины": {
        "actions": {"pump": ("DRN", "Заменён сливной насос"), "clean": ("DRN", "Удалён засор, прочищены фильтр и шланги"),
                    "valve": ("FIL", "Заменён заливной клапан, прочищена сетка"),
                    "seal": ("LEK", "Заменены манжета люка и патрубки"),
                    "bearing": ("MEC", "Заменены подшипники и сальник бака"),
                    "motor": ("MEC", "Заменены щётки двигателя и приводной ремень"),
                    "heater": ("HEA", "Заменён ТЭН или датчик температуры, проверен нагрев"),
                    "module": ("CTL", "Отремонтирован модуль управления"),
                    "lock": ("DOR", "Заменено устройство блокировки люка")},
        "symptoms": (("DRN", "Не сливает воду, ошибка E21"), ("DRN", "Не отжимает бельё"),
                     ("FIL", "Не набирает воду"), ("LEK", "Течёт вода из-под машины"),
                     ("MEC", "Сильно шумит при отжиме"), ("MEC", "Не вращается барабан"),
                     ("MEC", "Стучит и вибрирует при отжиме"), ("HEA", "Не греет воду"),
                     ("HEA", "Выбивает автомат при нагреве воды"), ("PWR", "Не включается, индикаторы не горят"),
                     ("DOR", "Не открывается дверца после стирки"),
                     ("DOR", "Не блокируется люк, программа не запускается")),
        "causes": (("DRN", "Засор сливного насоса, износ крыльчатки", "pump"),
                   ("DRN", "Посторонний предмет в сливном фильтре", "clean"),
                   ("DRN", "Засор сливного шланга", "clean"),
                   ("FIL", "Неисправен заливной клапан", "valve"), ("FIL", "Засор сетки заливного клапана", "valve"),
                   ("LEK", "Порвана манжета люка", "seal"), ("LEK", "Протечка патрубка бака", "seal"),
                   ("MEC", "Износ подшипников барабана, повреждён сальник", "bearing"),
                   ("MEC", "Износ щёток электродвигателя", "motor"), ("MEC", "Порван приводной ремень", "motor"),
                   ("HEA", "Обрыв ТЭНа", "heater"), ("HEA", "Пробой ТЭНа на корпус", "heater"),
                   ("HEA", "Неисправен датчик температуры воды", "heater"),
                   ("PWR", "Неисправен модуль управления (пробой симистора)", "module"),
                   ("PWR", "Сгорел предохранитель на плате управления", "module"),
                   ("DOR", "Неисправно устройство блокировки люка", "lock")),
    },
    "Холодильники": {
        "actions": {"leak": ("CLD", "Устранена утечка, заправка хладагентом R600a"),
                    "sensor": ("TMP", "Заменён датчик температуры (термостат)"),
                    "defrost": ("ICE", "Заменён нагреватель или таймер оттайки"),
                    "drain": ("WAT", "Прочищен дренаж, заменён поддон"), "compressor": ("MEC", "Заменён компрессор, заправка"),
                    "fan": ("CLD", "Заменён вентилятор испарителя"), "seal": ("DOR", "Заменён уплотнитель, отрегулирована дверь"),
                    "module": ("PWR", "Отремонтирован модуль управления, восстановлена проводка")},
        "symptoms": (("CLD", "Не морозит холодильная камера"), ("CLD", "Не морозит морозильная камера"),
                     ("TMP", "Компрессор работает без остановки"), ("ICE", "Намерзает лёд на задней стенке"),
                     ("TMP", "Слишком сильно морозит, продукты замерзают"),
                     ("WAT", "Течёт вода под ящиками для овощей"), ("WAT", "Лужа воды под холодильником"),
                     ("MEC", "Громко гудит или щёлкает"), ("MEC", "Компрессор не запускается"),
                     ("PWR", "Не включается, не горит свет в камере"), ("DOR", "Дверь неплотно закрывается"),
                     ("DOR", "Образуется конденсат на уплотнителе")),
        "causes": (("CLD", "Утечка хладагента в испарителе", "leak"),
                   ("CLD", "Утечка хладагента в конденсаторе", "leak"),
                   ("CLD", "Засор капиллярной трубки", "leak"), ("CLD", "Неисправен вентилятор No Frost", "fan"),
                   ("TMP", "Неисправен датчик температуры", "sensor"), ("TMP", "Неисправен термостат", "sensor"),
                   ("ICE", "Неисправен нагреватель оттайки", "defrost"),
                   ("ICE", "Неисправен таймер оттайки", "defrost"),
                   ("WAT", "Засор дренажного отверстия", "drain"), ("WAT", "Треснул поддон талой воды", "drain"),
                   ("MEC", "Износ компрессора (межвитковое замыкание)", "compressor"),
                   ("MEC", "Неисправно пусковое реле компрессора", "compressor"),
                   ("MEC", "Износ подшипника вентилятора испарителя", "fan"),
                   ("PWR", "Неисправен модуль управления", "module"), ("PWR", "Обрыв проводки в двери", "module"),
                   ("DOR", "Деформирован уплотнитель двери", "seal")),
    },
    "Посудомоечные машины": {
        "actions": {"valve": ("FIL", "Заменён заливной клапан или датчик уровня воды"),
                    "pump": ("WSH", "Заменён циркуляционный насос, прочищены коромысла"),
                    "drain": ("DRN", "Заменён сливной насос"),
                    "hose": ("LEK", "Заменён сливной шланг или уплотнитель, поддон просушен"),
                    "heater": ("HEA", "Заменён проточный нагреватель"),
                    "clean": ("DRN", "Прочищены фильтры и разбрызгиватели"),
                    "module": ("CTL", "Отремонтирован модуль управления"), "lock": ("DOR", "Заменён замок дверцы")},
        "symptoms": (("FIL", "Не набирает воду"), ("WSH", "Плохо моет посуду"), ("LEK", "Срабатывает аквастоп"),
                     ("DRN", "Не сливает воду"), ("DRN", "Вода остаётся на дне после цикла"),
                     ("WSH", "Не вращаются коромысла"), ("HEA", "Не греет воду"), ("HEA", "Посуда не сохнет"),
                     ("WSH", "Гудит, но не моет"), ("DOR", "Не закрывается дверца"),
                     ("PWR", "Не включается"), ("CTL", "Программа останавливается посередине цикла")),
        "causes": (("FIL", "Неисправен заливной клапан", "valve"),
                   ("FIL", "Засор входного фильтра заливного шланга", "clean"),
                   ("FIL", "Неисправен датчик уровня воды", "valve"),
                   ("WSH", "Неисправен циркуляционный насос, засор коромысел", "pump"),
                   ("WSH", "Заклинило крыльчатку циркуляционного насоса", "pump"),
                   ("LEK", "Протечка сливного шланга", "hose"), ("LEK", "Протечка уплотнителя двери", "hose"),
                   ("DRN", "Засор сливного насоса осколками", "drain"), ("DRN", "Засор фильтров остатками пищи", "clean"),
                   ("HEA", "Неисправен проточный нагреватель", "heater"),
                   ("HEA", "Неисправен датчик температуры", "heater"),
                   ("DOR", "Сломан замок дверцы", "lock"),
                   ("PWR", "Неисправен блок питания модуля управления", "module"),
                   ("PWR", "Сгорел сетевой предохранитель", "module"),
                   ("CTL", "Неисправен модуль управления", "module"),
                   ("CTL", "Залипают кнопки панели управления", "module")),
    },
    "Ноутбуки": {
        "actions": {"power": ("PWR", "Заменён контроллер питания"),
                    "cooling": ("HEA", "Чистка системы охлаждения, замена термопасты"),
                    "keyboard": ("KBD", "Заменена клавиатура"), "touchpad": ("TPD", "Заменён тачпад или его шлейф"),
                    "screen": ("DSP", "Заменена матрица"), "cable": ("DSP", "Заменён шлейф матрицы"),
                    "jack": ("BAT", "Заменён разъём питания"), "battery": ("BAT", "Заменён аккумулятор"),
                    "storage": ("STO", "Заменён накопитель или переустановлена ОС")},
        "symptoms": (("PWR", "Не включается"), ("HEA", "Греется и выключается"), ("HEA", "Сильно шумит вентилятор"),
                     ("KBD", "Не работает часть клавиш"), ("TPD", "Не работает тачпад"), ("BRK", "Разбит экран"),
                     ("DSP", "Тёмный экран, изображение едва видно"), ("DSP", "Полосы на экране"),
                     ("BAT", "Не заряжается"), ("BAT", "Быстро разряжается"),
                     ("STO", "Не загружается операционная система"), ("STO", "Зависает и медленно работает")),
        "causes": (("PWR", "Пробой цепи питания на материнской плате", "power"),
                   ("PWR", "Неисправен мультиконтроллер", "power"),
                   ("HEA", "Забита система охлаждения, высохла термопаста", "cooling"),
                   ("HEA", "Износ подшипника вентилятора", "cooling"),
                   ("KBD", "Следы залития клавиатуры", "keyboard"), ("KBD", "Повреждён шлейф клавиатуры", "keyboard"),
                   ("TPD", "Неисправен шлейф тачпада", "touchpad"),
                   ("BRK", "Механическое повреждение матрицы", "screen"), ("DSP", "Дефект шлейфа матрицы", "cable"),
                   ("DSP", "Неисправна подсветка матрицы", "screen"),
                   ("BAT", "Износ разъёма питания", "jack"), ("BAT", "Деградация аккумулятора", "battery"),
                   ("BAT", "Неисправен контроллер заряда", "power"),
                   ("STO", "Износ SSD, сбойные блоки", "storage"), ("STO", "Неисправен жёсткий диск", "storage"),
                   ("STO", "Повреждена файловая система", "storage")),
    },
    "Смартфоны": {
        "actions": {"jack": ("BAT", "Заменён разъём зарядки"), "battery": ("BAT", "Заменён аккумулятор"),
                    "display": ("DSP", "Заменён дисплейный модуль"), "speaker": ("SPK", "Заменён разговорный динамик"),
                    "mic": ("MIC", "Заменён микрофон"), "camera": ("CAM", "Заменён модуль камеры"),
                    "radio": ("NET", "Отремонтирован радиомодуль"),
                    "power": ("PWR", "Отремонтирована цепь питания на плате")},
        "symptoms": (("BAT", "Не заряжается"), ("BAT", "Быстро разряжается, вздулся корпус"),
                     ("BRK", "Не работает сенсор, трещина экрана"), ("DSP", "Нет изображения"),
                     ("DSP", "Полосы и пятна на экране"), ("SPK", "Не слышно собеседника"),
                     ("MIC", "Собеседник не слышит"), ("SPK", "Хрипит динамик"), ("CAM", "Не работает камера"),
                     ("CAM", "Камера не фокусируется"), ("NET", "Не ловит сеть"), ("PWR", "Не включается")),
        "causes": (("BAT", "Окисление разъёма зарядки", "jack"), ("BAT", "Износ разъёма зарядки", "jack"),
                   ("BAT", "Деградация аккумулятора", "battery"), ("PWR", "Неисправен контроллер питания", "power"),
                   ("BRK", "Повреждён дисплейный модуль", "display"), ("DSP", "Повреждён шлейф дисплея", "display"),
                   ("DSP", "Выгорание OLED-матрицы", "display"),
                   ("SPK", "Неисправен разговорный динамик", "speaker"),
                   ("SPK", "Засор сетки динамика", "speaker"), ("MIC", "Неисправен микрофон", "mic"),
                   ("MIC", "Засор отверстия микрофона", "mic"),
                   ("CAM", "Повреждён модуль камеры", "camera"), ("CAM", "Разбито стекло камеры", "camera"),
                   ("NET", "Неисправен радиомодуль", "radio"), ("NET", "Обрыв антенного кабеля", "radio"),
                   ("PWR", "Неисправна кнопка включения", "power")),
    },
    "Телевизоры": {
        "actions": {"backlight": ("DSP", "Заменены линейки подсветки"), "psu": ("PWR", "Отремонтирован блок питания"),
                    "cable": ("DSP", "Заменён шлейф матрицы"), "tcon": ("DSP", "Заменена плата T-CON"),
                    "main": ("CTL", "Отремонтирована или заменена основная плата"),
                    "panel": ("BRK", "Заменена матрица"), "audio": ("SND", "Отремонтирован усилитель звука"),
                    "ir": ("IRR", "Заменён ИК-приёмник")},
        "symptoms": (("DSP", "Есть звук, нет изображения"), ("DSP", "Вертикальные полосы на экране"),
                     ("DSP", "Тёмные пятна на изображении"), ("BRK", "Разбит экран"),
                     ("DSP", "Изображение мерцает"), ("PWR", "Не включается, мигает индикатор"),
                     ("PWR", "Включается и сразу гаснет"), ("SND", "Нет звука"), ("SND", "Звук с хрипом"),
                     ("CTL", "Не работает Smart TV, перезагружается"), ("HDM", "Не видит HDMI-источник"),
                     ("IRR", "Не реагирует на пульт")),
        "causes": (("DSP", "Неисправна LED-подсветка матрицы", "backlight"),
                   ("DSP", "Деградация светодиодов подсветки", "backlight"),
                   ("DSP", "Дефект шлейфа матрицы", "cable"), ("DSP", "Неисправна плата T-CON", "tcon"),
                   ("BRK", "Механическое повреждение матрицы", "panel"),
                   ("PWR", "Неисправен блок питания", "psu"), ("PWR", "Вздулись конденсаторы блока питания", "psu"),
                   ("PWR", "Неисправен драйвер подсветки", "psu"),
                   ("SND", "Неисправен усилитель звука", "audio"), ("SND", "Неисправны динамики", "audio"),
                   ("CTL", "Неисправна основная плата", "main"), ("CTL", "Неисправна память eMMC", "main"),
                   ("HDM", "Повреждён HDMI-порт", "main"), ("HDM", "Пробой защиты HDMI на основной плате", "main"),
                   ("IRR", "Неисправен ИК-приёмник", "ir"), ("CTL", "Повреждение прошивки", "fw")),
    },
    "Пылесосы": {
        "actions": {"motor": ("MOT", "Заменён электродвигатель"),
                    "battery": ("BAT", "Заменён аккумулятор, зачищены контакты"),
                    "thermo": ("HEA", "Заменён термопредохранитель, прочищены фильтры"),
                    "brush": ("BRS", "Заменён привод или ремень турбощётки"),
                    "clean": ("SUC", "Прочищены шланг и фильтры, заменены уплотнители"),
                    "module": ("PWR", "Отремонтирована плата управления")},
        "symptoms": (("SUC", "Слабая тяга"), ("BRS", "Не вращается турбощётка"), ("MOT", "Сильный шум и вибрация"),
                     ("MOT", "Пахнет гарью при работе"), ("BAT", "Не заряжается от базы"),
                     ("BAT", "Быстро садится аккумулятор"), ("BAT", "Не работает от аккумулятора"),
                     ("HEA", "Выключается через минуту работы"), ("HEA", "Сильно греется корпус"),
                     ("PWR", "Не включается"), ("PWR", "Мигают индикаторы, не запускается"),
                     ("SUC", "Выдувает пыль из корпуса")),
        "causes": (("MOT", "Износ щёток электродвигателя", "motor"), ("MOT", "Заклинил подшипник двигателя", "motor"),
                   ("MOT", "Деформирована крыльчатка двигателя", "motor"),
                   ("SUC", "Засор шланга и трубок", "clean"), ("SUC", "Забиты фильтры", "clean"),
                   ("SUC", "Повреждён уплотнитель контейнера", "clean"),
                   ("BRS", "Износ привода турбощётки", "brush"), ("BRS", "Порван ремень турбощётки", "brush"),
                   ("BAT", "Окисление контактов, деградация аккумулятора", "battery"),
                   ("BAT", "Неисправна зарядная база", "battery"),
                   ("HEA", "Срабатывает термозащита двигателя", "thermo"),
                   ("HEA", "Неисправен термопредохранитель", "thermo"),
                   ("PWR", "Неисправна плата управления", "module"), ("PWR", "Неисправна кнопка включения", "module"),
                   ("PWR", "Обрыв сетевого шнура", "module"), ("BAT", "Неисправен контроллер заряда", "module")),
    },
    "Микроволновые печи": {
        "actions": {"magnetron": ("HEA", "Заменён магнетрон"), "mica": ("SPK", "Заменена слюдяная пластина"),
                    "motor": ("ROT", "Заменён мотор привода или роллер"),
                    "hv": ("HEA", "Заменены высоковольтный диод и конденсатор"),
                    "fuse": ("PWR", "Заменён предохранитель, проверены микропереключатели"),
                    "module": ("CTL", "Отремонтирована плата управления"),
                    "door": ("DOR", "Отремонтирован механизм дверцы")},
        "symptoms": (("HEA", "Работает, но не греет"), ("SPK", "Искрит внутри камеры"), ("HEA", "Греет слабо"),
                     ("HEA", "Гудит при нагреве"), ("ROT", "Не вращается тарелка"), ("DOR", "Не закрывается дверца"),
                     ("PWR", "Не включается"), ("PWR", "Выбивает автомат при закрывании дверцы"),
                     ("CTL", "Не работает дисплей"), ("CTL", "Не реагирует на сенсорные кнопки"),
                     ("PWR", "Отключается во время работы"), ("DOR", "Дверца открывается с трудом")),
        "causes": (("HEA", "Неисправен магнетрон", "magnetron"), ("SPK", "Прогорела слюдяная пластина", "mica"),
                   ("HEA", "Пробит высоковольтный диод", "hv"), ("HEA", "Неисправен высоковольтный конденсатор", "hv"),
                   ("HEA", "Неисправен высоковольтный трансформатор", "hv"),
                   ("SPK", "Повреждена эмаль камеры", "mica"),
                   ("ROT", "Неисправен мотор привода поддона", "motor"), ("ROT", "Сломан роллер поддона", "motor"),
                   ("DOR", "Сломан крючок дверцы", "door"), ("DOR", "Износ пружины и петель дверцы", "door"),
                   ("PWR", "Перегорел сетевой предохранитель", "fuse"),
                   ("PWR", "Неисправен микропереключатель дверцы", "fuse"),
                   ("PWR", "Неисправен термопредохранитель", "fuse"),
                   ("CTL", "Неисправна плата управления", "module"), ("CTL", "Повреждена сенсорная панель", "module"),
                   ("CTL", "Неисправно реле на плате", "module")),
    },
    "Кофемашины": {
        "actions": {"pump": ("WAT", "Заменена помпа, проведена декальцинация"),
                    "seals": ("LEK", "Заменены уплотнители"), "milk": ("MLK", "Отремонтирован капучинатор"),
                    "grinder": ("GRN", "Прочищена и отрегулирована кофемолка"),
                    "block": ("BLK", "Отремонтирован заварочный блок"), "heater": ("HEA", "Заменён термоблок"),
                    "module": ("CTL", "Отремонтирована плата управления, заменены датчики")},
        "symptoms": (("WAT", "Не подаёт воду"), ("LEK", "Течёт под машиной"), ("WAT", "Кофе течёт тонкой струйкой"),
                     ("MLK", "Не взбивает молоко"), ("GRN", "Не мелет кофе"), ("GRN", "Шумит кофемолка"),
                     ("BLK", "Заварочный блок не встаёт на место"), ("HEA", "Кофе холодный"),
                     ("HEA", "Не выходит на режим, мигает индикатор нагрева"), ("PWR", "Не включается"),
                     ("CTL", "Ошибка на дисплее"), ("BLK", "Кофе водянистый, плохо прессуется таблетка")),
        "causes": (("WAT", "Износ помпы, накипь в гидросистеме", "pump"), ("WAT", "Неисправна помпа", "pump"),
                   ("WAT", "Накипь в трубках и клапанах", "pump"),
                   ("LEK", "Износ уплотнителей заварочного блока", "seals"),
                   ("LEK", "Износ уплотнителей ёмкости для воды", "seals"),
                   ("MLK", "Засор капучинатора молочным налётом", "milk"),
                   ("MLK", "Износ уплотнителей капучинатора", "milk"),
                   ("GRN", "Заклинило жернова кофемолки", "grinder"), ("GRN", "Износ жерновов кофемолки", "grinder"),
                   ("GRN", "Посторонний предмет в кофемолке", "grinder"),
                   ("BLK", "Износ привода заварочного блока", "block"),
                   ("BLK", "Загрязнён заварочный блок", "block"),
                   ("HEA", "Неисправен термоблок", "heater"), ("HEA", "Неисправен датчик температуры", "heater"),
                   ("PWR", "Неисправна плата питания", "module"), ("CTL", "Неисправен датчик расхода воды", "module")),
    },
    "Мелкая кухонная техника": {
        "actions": {"fuse": ("PWR", "Заменён термопредохранитель"),
                    "heater": ("HEA", "Заменён нагревательный элемент или термостат"),
                    "board": ("CTL", "Заменена плата управления"), "motor": ("MEC", "Заменён электродвигатель"),
                    "drive": ("MEC", "Заменена муфта привода"), "cord": ("PWR", "Заменён сетевой шнур или контакты базы"),
                    "seal": ("WAT", "Заменён уплотнитель")},
        "symptoms": (("PWR", "Не включается"), ("PWR", "Искрит шнур у основания"), ("HEA", "Не нагревается"),
                     ("HEA", "Не отключается после закипания"), ("HEA", "Пригорает, перегревается"),
                     ("CTL", "Не реагирует на кнопки"), ("CTL", "Ошибка на дисплее"),
                     ("MEC", "Не вращается нож"), ("MEC", "Двигатель гудит, но не крутит"),
                     ("MEC", "Запах гари от двигателя"), ("WAT", "Течёт из-под чаши"),
                     ("WAT", "Пар выходит из-под крышки")),
        "causes": (("PWR", "Сгорел термопредохранитель", "fuse"), ("PWR", "Обрыв сетевого шнура", "cord"),
                   ("PWR", "Окисление контактов базы", "cord"),
                   ("HEA", "Обрыв нагревательного элемента", "heater"),
                   ("HEA", "Неисправен термостат", "heater"), ("HEA", "Неисправен датчик температуры на плате", "board"),
                   ("CTL", "Неисправна плата управления", "board"), ("CTL", "Неисправна кнопочная панель", "board"),
                   ("MEC", "Износ муфты привода", "drive"), ("MEC", "Износ щёток двигателя", "motor"),
                   ("MEC", "Межвитковое замыкание обмотки двигателя", "motor"),
                   ("MEC", "Заклинило подшипник двигателя", "motor"),
                   ("WAT", "Износ уплотнителя чаши", "seal"), ("WAT", "Износ уплотнителя крышки", "seal"),
                   ("WAT", "Засор парового клапана", "seal"), ("MEC", "Сломан фиксатор крышки", "drive")),
    },
}

# What the engineer wrote in the labour log: the first entry, the middle ones, the last (then the action).
WORK_FIRST = ("Диагностика, поиск неисправности", "Разборка, дефектовка узлов", "Диагностика под нагрузкой",
              "Вскрытие, осмотр платы и узлов")
WORK_MIDDLE = ("Разборка, снятие узла", "Замена детали", "Пайка платы", "Чистка узлов от загрязнений",
               "Замер параметров, поиск неисправности", "Сборка после ремонта", "Ожидание и установка запчасти")
WORK_LAST = ("Сборка, проверка работы", "Тестовый прогон 2 часа", "Проверка во всех режимах",
             "Сборка, чистка корпуса, тест")
REPAIRED = frozenset({"repaired", "replaced"})  # the action is recorded for these
WORKED = frozenset({"repaired", "replaced", "unrepairable"})  # finished on the bench: labour logged
SKEW = 1.2  # the Zipf exponent of a model's symptoms and causes


def _codes() -> tuple[list[str], dict[tuple[str, str, str], int], dict[str, dict]]:
    """COPY lines of diagnosis_codes, the id of each (category, kind, name), and per category its
    symptoms' groups, the causes of each group and the action of each cause (ids)."""
    lines: list[str] = []
    ids: dict[tuple[str, str, str], int] = {}
    plan: dict[str, dict] = {}
    for category in CATEGORIES:
        spec = CATALOGUE[category]
        actions = {**spec["actions"], **COMMON_ACTIONS}
        kinds = (("symptom", "S", [(g, n) for g, n in (*spec["symptoms"], *COMMON_SYMPTOMS)]),
                 ("cause", "C", [(g, n) for g, n, _ in (*spec["causes"], *COMMON_CAUSES)]),
                 ("action", "A", list(actions.values())))
        for kind, letter, rows in kinds:
            numbers: dict[str, int] = {}
            for group, name in rows:
                numbers[group] = numbers.get(group, 0) + 1
                ids[(category, kind, name)] = len(lines) + 1
                lines.append(f"{len(lines) + 1}\t{escape(category)}\t{kind}\t{letter}-{group}-{numbers[group]:02d}\t"
                             f"{escape(name)}\tt\n")
        causes = [(g, ids[(category, "cause", n)], ids[(category, "action", actions[a][1])])
                  for g, n, a in (*spec["causes"], *COMMON_CAUSES)]
        groups = sorted({g for g, *_ in causes})  # sorted: set order changes with the hash seed
        symptoms = [(g, ids[(category, "symptom", n)]) for g, n in spec["symptoms"] + COMMON_SYMPTOMS
                    if n != PRESALE_SYMPTOM]
        missing = {g for g, _ in symptoms} - set(groups)
        if missing:
            raise AssertionError(f"{category}: no cause for symptoms of {sorted(missing)}")
        plan[category] = {
            "symptoms": symptoms,
            "causes": {g: [c for cg, c, _ in causes if cg == g] for g in groups},
            "action": {c: a for _, c, a in causes},
            "presale": (ids[(category, "symptom", PRESALE_SYMPTOM)], ids[(category, "cause", NO_FAULT)]),
            "swap": ids[(category, "action", COMMON_ACTIONS["swap"][1])],
        }
    return lines, ids, plan


def _zipf(n: int) -> list[float]:
    return list(accumulate(1 / (r + 1) ** SKEW for r in range(n)))


class ModelHabits:
    """Per product model: its own ranking of the category's symptoms and, per symptom group, of the
    causes (a model has its weak spots), from a generator seeded by the model alone."""

    def __init__(self, base: int, net: Network, plan: dict[str, dict]) -> None:
        self.base, self.net, self.plan = base, net, plan
        self._cache: dict[int, tuple] = {}

    def get(self, model: int) -> tuple:
        habits = self._cache.get(model)
        if habits is None:
            r = random.Random(f"{self.base}:{model}")
            spec = self.plan[CATEGORIES[self.net.model_category[model]]]
            symptoms = r.sample(spec["symptoms"], len(spec["symptoms"]))
            causes = {g: (r.sample(cs, len(cs)), _zipf(len(cs))) for g, cs in spec["causes"].items()}
            habits = self._cache[model] = (spec, symptoms, _zipf(len(symptoms)), causes)
        return habits


_QUERY = """
COPY (SELECT o.id, o.center_id, o.engineer_id, u.model_id, o.state, o.order_type, COALESCE(o.outcome, ''),
             extract(epoch FROM o.received_at)::bigint, COALESCE(extract(epoch FROM o.ready_at)::bigint, 0),
             extract(epoch FROM o.updated_at)::bigint
        FROM repair_orders o JOIN units u ON u.id = o.unit_id
       WHERE o.diagnosis <> '' AND o.engineer_id IS NOT NULL AND o.received_at IS NOT NULL
       ORDER BY o.id) TO STDOUT"""


def _orders(url: str):  # noqa: ANN202  (an iterator of the COPY text rows, split)
    with psycopg.connect(libpq_url(url)) as conn, conn.cursor().copy(_QUERY) as copy:
        rest = b""
        for chunk in copy:
            lines = (rest + bytes(chunk)).split(b"\n")
            rest = lines.pop()
            for line in lines:
                yield line.decode().split("\t")


def load_work(url: str, rng: random.Random, net: Network, now_ts: int, ts: Timestamps) -> tuple[int, int, int]:
    """diagnosis_codes, order_diagnoses and work_logs; returns their row counts."""
    lines, ids, plan = _codes()
    codes = CopyStream(url, "diagnosis_codes", ("id", "category", "kind", "code", "name", "active"))
    for line in lines:
        codes.add(line)
    codes.close()
    habits = ModelHabits(rng.getrandbits(64), net, plan)
    diagnoses = CopyStream(url, "order_diagnoses", ("id", "order_id", "symptom_id", "cause_id", "action_id",
                                                    "recorded_by_id", "recorded_at"))
    logs = CopyStream(url, "work_logs", ("id", "order_id", "user_id", "performed_on", "minutes", "description",
                                         "created_at"))
    first, middle, last = ([escape(t) for t in texts] for texts in (WORK_FIRST, WORK_MIDDLE, WORK_LAST))
    action_text = {i: escape(name) for (_c, kind, name), i in ids.items() if kind == "action"}
    dates: dict[int, str] = {}
    did = lid = 0
    for oid, cid, engineer, model, state, otype, outcome, received, ready, updated in _orders(url):
        received, ready, updated = int(received), int(ready), int(updated)
        spec, symptoms, cum, causes = habits.get(int(model))
        if otype == "presale":
            symptom, cause = spec["presale"]
        else:
            group, symptom = rng.choices(symptoms, cum_weights=cum)[0]
            if rng.random() < 0.06:  # now and then it is nothing the model is known for
                cause = rng.choice(spec["causes"]["GEN"] + spec["causes"]["CTL"])
            else:
                ranked, ccum = causes[group]
                cause = rng.choices(ranked, cum_weights=ccum)[0]
        action = (spec["swap"] if outcome == "replaced" else spec["action"][cause]) if outcome in REPAIRED else 0
        end = ready or updated
        recorded = received + int((end - received) * rng.uniform(0.05, 0.6))
        did += 1
        diagnoses.add(f"{did}\t{oid}\t{symptom}\t{cause}\t{action or NULL}\t{engineer}\t{ts(recorded)}\n")
        if outcome not in WORKED and state != "in_repair":
            continue
        stop = ready or now_ts - 60
        n = rng.choices((1, 2, 3, 4), cum_weights=(25, 60, 85, 100))[0]
        moments = sorted(received + int((stop - received) * rng.uniform(0.05, 1.0)) for _ in range(n))
        offset = net.offset[int(cid)]
        for k, at in enumerate(moments):
            if k == 0:
                text, minutes = rng.choice(first), rng.randint(15, 90)
            elif k == n - 1:
                text = action_text[action] if action and rng.random() < 0.6 else rng.choice(last)
                minutes = rng.randint(15, 120)
            else:
                text, minutes = rng.choice(middle), rng.randint(30, 240)
            day = (at + offset) // DAY
            date = dates.get(day)
            if date is None:
                date = dates[day] = ts.date(day)
            lid += 1
            logs.add(f"{lid}\t{oid}\t{engineer}\t{date}\t{minutes}\t{text}\t{ts(at)}\n")
    diagnoses.close()
    logs.close()
    return codes.rows, diagnoses.rows, logs.rows
