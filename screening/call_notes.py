"""The "for the call" summary: what intake should confirm with the patient, written from the flags.

One line per flag, in the words an intake coordinator uses on the phone (not the
clinician's rule titles). Kept in the core beside the rules' ids: a test checks that
every rule in ``rules/`` has its line here, so a new rule cannot reach the case page
without one.
"""

from collections.abc import Iterable

from screening.ruleset import Advice

TOLD: dict[Advice, str] = {
    Advice.emergency: "They were told to get emergency care now (911 or the emergency department): ask whether "
    "they have been seen, and do not book before they have.",
    Advice.same_day: "They were told to call the clinic (or their own doctor) today, and 911 if no one answers and "
    "they feel worse: call them today.",
    Advice.soon: "They were told to see a doctor within a few days (the same day with jaw pain on chewing, a tender "
    "scalp or changes in sight): ask whether they have.",
    Advice.unsure: "They were told what to do if a warning sign they were not sure about is happening now.",
}
"""What the wizard told the patient about warning signs, first on the call: the grade is the rule set's
(``screening.advice``), so these lines never promise advice the patient was not given."""

ASK: dict[str, str] = {
    "CM-LIKELY": "Confirm headache days a month (15 or more) and which two preventive medicines were tried.",
    "CM-FEW-CLASSES": "Ask which preventives were stopped for side effects or did not help, and for how long each.",
    "CM-EPISODIC": "Check the number of headache days a month over the last 3 months (they said 14 or fewer).",
    "CM-FEW-MIGRAINE-DAYS": "Ask how many headache days are migraine days (throbbing, one-sided, with nausea).",
    "CM-SHORT-HISTORY": "Ask how long the headaches have been this frequent (they said 3 months or less).",
    "CM-SHORT-ATTACKS": "Ask how long a typical headache lasts without treatment (they said under 4 hours).",
    "CM-UNKNOWN": "Go through headache and migraine days a month with them; a headache diary helps.",
    "CM-UNDER-18": "Patient is under 18: speak with a parent or guardian and note who they are.",
    "CM-OTHER-HEADACHE": "Ask them to describe the headache in their own words for the clinician.",
    "CI-HYPERSENSITIVITY": "Ask what reaction they had to a botulinum toxin, when, and which product.",
    "CI-HYPERSENSITIVITY-UNSURE": "Ask whether they ever reacted to Botox or a similar injection, and how.",
    "CI-INJECTION-SITE": "Ask about the infection at the head and neck injection sites and whether it is treated.",
    "CI-INJECTION-SITE-UNSURE": "Ask whether they have an infection or an infected wound on the head or neck.",
    "PR-SKIN": "Ask about the rash or skin problem on the head or neck, for the clinician to look at.",
    "PR-ANTICHOLINERGIC": "Ask which medicine for bladder, stomach cramps or sickness they take (name and dose).",
    "PR-MUSCLE-RELAXANT": "Ask which muscle relaxant they take (name and dose).",
    "MO-KINDS-UNKNOWN": "Ask which medicines they take for a headache attack and on how many days a month each.",
    "PT-SHORT-TRIAL": "Ask how long each preventive named as too short was taken, and why it was stopped.",
    "RF-FEVER-WEIGHT": "Ask about the fever or weight loss and whether a doctor has seen them for it.",
    "PR-NEUROMUSCULAR": "Ask which neuromuscular condition they have and who treats it.",
    "PR-SWALLOW-BREATH": "Ask about trouble swallowing or breathing: how bad, and since when.",
    "PR-AMINOGLYCOSIDE": "Ask which antibiotic they take now (an aminoglycoside, such as gentamicin) and until when.",
    "PR-PREGNANCY": "Confirm pregnancy or breastfeeding; the clinician will discuss it.",
    "PR-PLANNING-PREGNANCY": "Note that they plan a pregnancy in the next year; the clinician will discuss timing.",
    "PR-BLEEDING": "Ask which blood thinner they take (or which bleeding disorder they have).",
    "CD-LIKELY": "Confirm who diagnosed the neck dystonia and how long the head turning or tilting has been there.",
    "CD-NOT-DIAGNOSED": "Ask whether a neurologist has diagnosed the neck dystonia; the consultation must confirm it.",
    "CD-ATYPICAL": "Ask them to describe the neck symptoms: turning, tilting, pulling or pain, and since when.",
    "CD-BELOW-LABEL-AGE": "Patient is under 16: speak with a parent or guardian; the clinician decides.",
    "CD-MINOR": "Patient is 16 or 17: speak with a parent or guardian as well.",
    "SP-LIKELY": "Confirm the cause of the stiffness, the limbs affected and what they hope treatment will help.",
    "SP-CAUSE-UNCLEAR": "Ask what caused the stiffness (stroke, brain injury, MS...) and who treats it now.",
    "SP-NO-GOAL": "Ask which limbs are affected and what they most want help with (pain, dressing, walking).",
    "SP-CHILD": "Patient is a child: speak with a parent or guardian; the clinician will explain the risks.",
    "SP-UNDER-2": "Patient is under 2: speak with a parent or guardian and the treating team.",
    "FP-REVIEW": "Ask where the facial pain is, how long they have had it and what was tried.",
    "UNSURE-PATHWAY": "Ask what help they are looking for: migraine, neck, muscle stiffness or face pain.",
    "MO-SIMPLE": "Ask on how many days a month they take simple pain relievers (ibuprofen, paracetamol...).",
    "MO-SPECIFIC": "Ask on how many days a month they take triptans, opioids, ergots or combination pills.",
    "MO-MULTIPLE": "Go through each kind of acute medicine and the days a month they take it.",
    "MO-UNKNOWN": "Ask on how many days a month they take any medicine for a headache attack.",
    "CGRP-CONCURRENT": "Ask which CGRP medicine they take now and who prescribes it; check their plan's rules.",
    "RF-THUNDERCLAP": "Urgent: ask about the sudden severe headache: when it happened and how it is now.",
    "RF-NEW-AFTER-50": "Urgent: ask when the headaches started or changed after 50, and about jaw pain on chewing, "
    "a tender scalp or changes in sight.",
    "RF-NEURO": "Urgent: ask about the new weakness, numbness, speech or vision problem: when, and how it is now.",
    "RF-FEVER-NECK": "Urgent: ask about the fever with a stiff neck: since when, and how it is now.",
    "RF-POSITIONAL": "Ask whether the headache changes lying down or standing, or comes on with straining.",
    "RF-SYSTEMIC": "Ask about the cancer, HIV or weak immune system, and how the headache is new or different "
    "from their usual ones (answers before 2026.12.4 were to the condition alone).",
    "RF-HEAD-INJURY": "Ask when the head injury happened and whether they were seen by a doctor.",
    "RF-PATTERN-CHANGE": "Ask what changed in the headache pattern recently, and since when.",
    "RF-PREGNANCY-HEADACHE": "Urgent: ask about the new headache in pregnancy or after birth: since when, and any "
    "vision problems, swelling or seizure.",
    "RF-UNSURE": "Go through the warning signs they were not sure about, one by one.",
    "RT-INTERVAL": "Ask the date of their last toxin injection and where it was given (less than 12 weeks ago).",
    "RT-INTERVAL-UNKNOWN": "Ask the date of their last toxin injection.",
    "RT-POOR-RESPONSE": "Ask how earlier toxin injections went: no help, stopped working, or which side effects.",
    "RV-SPREAD": "Urgent: ask about the swallowing, speech or breathing problem: since when, and how it is now.",
    "RV-SPREAD-SAME-DAY": "Urgent: call them today about the double vision or weakness all over: since when, and how "
    "it is now.",
    "RV-SPREAD-UNSURE": "Go through the signs of spread they were not sure about: swallowing, speech, breathing, "
    "vision, weakness.",
    "RV-ALLERGY": "Ask about the reaction (hives, swelling, wheezing): when, how bad, who treated it. No booking "
    "until a clinician has seen it.",
    "RV-ALLERGY-UNSURE": "Ask whether they had hives, swelling of the face or throat, or wheezing after the injection.",
    "RV-EFFECTS": "Ask about the effects since the injection (neck pain, drooping eyelid, weakness): how long, "
    "how bad.",
    "RV-INTERVAL": "Book the next treatment no sooner than 12 weeks after the last one.",
    "RV-CYCLES-UNKNOWN": "Check in the records how many treatments they have had here.",
    "RV-TOO-EARLY": "Book the next treatment; ask them to keep a headache diary until then.",
    "RV-CONTINUE-MET": "Confirm the headache days a month now, for the clinician's notes; book the next treatment.",
    "RV-BELOW-30": "Ask for their headache diary; the clinician reviews whether the treatment is working.",
    "RV-BELOW-30-PAYER-MET": "Confirm the headache days a month now; the clinician notes the response.",
    "RV-PARTIAL": "Ask for their headache diary; the clinician reviews the response.",
    "RV-RESPONSE-UNKNOWN": "Go through headache days a month now with them; a headache diary helps.",
    "RV-EPISODIC": "Confirm the headache days in each of the last 3 months (they said fewer than 15).",
    "RV-WORE-OFF": "Ask how many weeks the last treatment helped before it wore off.",
    "RV-DID-NOT-HELP": "Ask what did not help and whether they want to talk it through with the clinician.",
    "RV-NOT-CONTINUING": "Ask what they would like to do next; the clinician talks it through at the visit.",
    "RV-CD-CONTINUE": "Confirm how many weeks the last injection helped; book the next one.",
    "RV-CD-WEARING-OFF": "Ask how many weeks each of the last injections helped; the clinician reviews why.",
    "RV-SP-GOALS-MET": "Confirm which goals improved; book the next treatment.",
    "RV-SP-GOALS-NOT-MET": "Ask which goals did not improve, for the clinician.",
    "RV-SP-WORSE": "Ask what got worse (walking, washing and dressing, pain) and since when.",
    "RV-SP-CHILD": "Patient is a child: speak with a parent or guardian; ask about swallowing and breathing since "
    "the last treatment.",
    "RV-OTHER-PATHWAY": "Ask how the treatment has gone, in their own words, for the clinician.",
}
NOTHING_FLAGGED = "Confirm headache days a month and which preventive medicines they have tried."


def for_the_call(flag_ids: Iterable[str], told: Iterable[Advice] = ()) -> list[str]:
    """What the patient was told about warning signs (``told``, strongest first), then one line per flag, most
    serious first (the flags' order), each line once; a general one when no flag has a line."""
    lines = list(dict.fromkeys(ASK[flag] for flag in flag_ids if flag in ASK))
    return [TOLD[grade] for grade in told] + (lines or [NOTHING_FLAGGED])
