"""Deadlines (регламентные сроки): rules per center, business calendars, due dates and pauses."""
