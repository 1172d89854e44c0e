"""Attestation PDFs: the person, the parcours and its estimated duration, never time spent."""

import io

from django.utils import formats
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from .french import elide
from .models import Attestation
from .selectors import display_name


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def render_pdf(attestation: Attestation) -> bytes:
    membership = attestation.membership
    session = membership.session
    parcours = session.parcours
    profile = getattr(membership.user, "profile", None)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Attestation de formation {attestation.number}")
    width, height = A4
    y = height - 4 * cm
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(width / 2, y, "Attestation de formation")
    lines = [
        f"Nous attestons {elide('que', display_name(membership.user))}",
        f"({profile.school})" if profile and profile.school else "",
        "a suivi le parcours de formation",
        f"« {parcours.title} »",
        f"session « {session.title} », académie {session.academy.name},",
        f"du {formats.date_format(session.starts_on)} au {formats.date_format(session.ends_on)}.",
        f"Durée estimée du parcours : {format_minutes(parcours.total_minutes)} "
        f"(dont {format_minutes(parcours.distance_minutes)} à distance "
        f"et {format_minutes(parcours.presence_minutes)} en présence).",
        f"Formation terminée le {formats.date_format(membership.finished_on)}.",
    ]
    pdf.setFont("Helvetica", 12)
    y -= 2 * cm
    for line in filter(None, lines):
        pdf.drawCentredString(width / 2, y, line)
        y -= 0.9 * cm
    pdf.setFont("Helvetica", 8)
    pdf.drawString(2 * cm, 2 * cm, f"Attestation n° {attestation.number}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
