"""Planned maintenance (плановые регламентные заявки): plans per unit, model or service contract
that pre-register orders or leave reminders ahead of their due dates; see docs/maintenance.md."""
