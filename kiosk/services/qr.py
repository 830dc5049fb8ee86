"""QR codes that carry a guide to a citizen's phone (the public mobile page ``/g/<code>``)."""

from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import quote

import qrcode
import qrcode.image.svg

from .security.offload import run_cpu, run_cpu_waiting


def guide_url(base_url: str, code: str) -> str:
    """Absolute link to a guide's mobile page, built on the configured public base URL
    (screens and phones reach the server by different names; the QR must use the public one)."""
    return f"{base_url.rstrip('/')}/g/{quote(code, safe='')}"


@lru_cache(maxsize=4096)
def qr_svg(data: str) -> str:
    """An SVG QR code (single path, medium error correction so a glare spot still scans)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    qr.add_data(data)
    qr.make(fit=True)
    img = qr.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode("utf-8")
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1].lstrip()
    return svg


def qr_svg_for_request(data: str) -> str:
    """:func:`qr_svg` for an anonymous request (the phone page and its QR image), off the
    event loop: a code takes ~16 ms of pure Python, and a client walking every guide's QR past
    the cache would otherwise stall every screen on the loop (issue 10). Raises ``Busy``
    (503 系统繁忙) when the CPU pool is full."""
    return run_cpu(qr_svg, data)


def qr_svg_for_render(data: str) -> str:
    """:func:`qr_svg` for the publisher's slide rendering, off the loop but never refused."""
    return run_cpu_waiting(qr_svg, data)
