"""Ongoing care after the first screening: the treatments staff record, the patient's timeline of visits,
and the patients due back for their next treatment.

``treatment`` and ``timeline`` are core (no Streamlit, no database); ``returns_due`` is a staff
service. Recording a treatment is a workflow move, so it lives with the others in ``screening.casework``.
"""
