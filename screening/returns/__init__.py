"""The return visit: a patient treated here before, about 12 weeks after a treatment.

``answers`` is the return questionnaire's model (asked in the same wizard as the first
screening), ``derived`` the facts the return rules read on top of the answers: the
response against the baseline, weeks since the last injection, episodic months.
"""
