"""The same read-back with other tools: poppler (pdftoppm, pdftotext, pdffonts) and zbar (zbarimg).

CI installs poppler-utils and zbar-tools; on a machine without them these tests are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from printing import render_label_pdf, render_label_png, render_work_order, samples

TOOLS = ("pdftoppm", "pdftotext", "pdffonts", "zbarimg")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason="needs poppler-utils and zbar-tools")


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def _zbar(png: Path) -> list[str]:
    out = _run("zbarimg", "-q", "--raw", "-Sdisable", "-Scode128.enable", str(png))
    return out.split()


def test_poppler_and_zbar_read_the_label_pdf_and_png(tmp_path: Path) -> None:
    (tmp_path / "label.pdf").write_bytes(render_label_pdf(samples.label("SPB1-2027-999999")))
    _run("pdftoppm", "-r", "300", "-png", "-singlefile", str(tmp_path / "label.pdf"), str(tmp_path / "label"))
    assert _zbar(tmp_path / "label.png") == ["SPB1-2027-999999"]
    (tmp_path / "direct.png").write_bytes(render_label_png(samples.label("SPB1-2027-999999"), dpi=203))
    assert _zbar(tmp_path / "direct.png") == ["SPB1-2027-999999"]


def test_poppler_and_zbar_read_the_work_order(tmp_path: Path) -> None:
    pdf = tmp_path / "order.pdf"
    pdf.write_bytes(render_work_order(samples.work_order()))
    _run("pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(tmp_path / "p1"))
    assert _zbar(tmp_path / "p1.png") == ["MSK-2026-000123"]
    text = _run("pdftotext", str(pdf), "-")
    assert "Заказ-наряд № MSK-2026-000123" in text and "Иванов Иван Иванович" in text
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(" yes " in line and "DejaVuSans" in line for line in fonts), fonts
