"""The patient information page's words, all in one place (for review by the clinic and for translation).

Written for patients in plain words, by us: not copied from the label or the manufacturer's leaflet.
The facts rest on ../shared/clinical-reference.md: a 15-30 minute session, injections in the head
and neck for chronic migraine (155 Units at 31 sites) [Label], results after 2-4 weeks, repeat
about every 12 weeks and never sooner [Label], the common effects and the boxed warning's signs of
distant spread [Label]. Nothing here tells a patient they will or will not be treated.
"""

from dataclasses import dataclass

from screening.i18n import N_

TITLE = N_("About the consultation and treatment")
LINK_LABEL = N_("What the consultation and treatment are like")
BACK_LABEL = N_("Back to the questions")
INTRO = N_(
    "This page explains, in plain words, what happens after you send your answers and what treatment "
    "with Botox (botulinum toxin) is like. It is general information: the clinician you see will go "
    "through it with you and answer your questions."
)


@dataclass(frozen=True)
class Part:
    heading: str
    text: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    """Sentences after the list."""


PARTS: tuple[Part, ...] = (
    Part(
        N_("The consultation"),
        (
            N_(
                "A member of the clinic team reads your answers and then contacts you. The first step is a free "
                "video call with a clinician. In the call they:"
            ),
        ),
        (
            N_(
                "ask about your headaches (or your neck, or the muscle stiffness you want help with) and how they "
                "affect your days;"
            ),
            N_("go through the medicines you have tried and how they worked;"),
            N_("check your health and your other medicines, to make sure the treatment would be safe for you;"),
            N_("explain what the treatment can and cannot do, and its possible side effects;"),
            N_("answer your questions."),
        ),
        (
            N_(
                "You and the clinician decide together whether the treatment is right for you. Your answers to the "
                "questionnaire help prepare the call; they do not decide anything."
            ),
        ),
    ),
    Part(
        N_("A treatment session"),
        (
            N_(
                "A session takes 15 to 30 minutes at the clinic. For chronic migraine, the clinician gives a number "
                "of small injections (usually about 31) with a very fine needle into muscles of the forehead, the "
                "temples, the back of the head, the neck and the top of the shoulders. For a stiff or twisting neck "
                "(cervical dystonia) or stiff arms or legs (spasticity), the injections go into the muscles that "
                "cause the problem."
            ),
            N_(
                "Each injection feels like a quick sting. You do not need to be put to sleep, and most people go "
                "home and carry on with their day straight afterwards."
            ),
        ),
    ),
    Part(
        N_("When you may notice a change"),
        (
            N_(
                "Not straight away. Most people notice a difference 2 to 4 weeks after a treatment. For migraine it "
                "can take 2 treatments before the full effect shows, so the clinic looks at how you are doing after "
                "the second one."
            ),
            N_(
                "Writing down each day you have a headache (a headache diary) helps you and your clinician see what "
                "has changed."
            ),
        ),
    ),
    Part(
        N_("Every 12 weeks"),
        (
            N_(
                "The effect wears off slowly over about 3 months, so treatment is repeated about every 12 weeks, "
                "and not sooner. Before each return visit the clinic asks you a few questions about how the last "
                "treatment went. Your clinician uses your answers to adjust the dose or where the injections go, "
                "and to decide with you whether to carry on."
            ),
        ),
    ),
    Part(
        N_("Common side effects"),
        (N_("These are usually mild and go away on their own within days or a few weeks:"),),
        (
            N_("pain or stiffness in the neck;"),
            N_("a headache;"),
            N_("pain, tenderness or a small bruise where the needle went in;"),
            N_("a drooping eyelid or eyebrow;"),
            N_("weakness of the muscles near where the injections were given."),
        ),
        (N_("Tell the clinic at your next visit, or call sooner if a side effect worries you."),),
    ),
)

WARNING_HEADING = N_("Warning signs: act at once")
WARNING_INTRO = N_(
    "Rarely, the medicine can affect muscles far from where it was injected. This can happen hours or weeks "
    "after a treatment."
)
EMERGENCY_INTRO = N_("Call 911 or go to the nearest emergency department straight away if you have:")
EMERGENCY_SIGNS: tuple[str, ...] = (
    N_("trouble swallowing;"),
    N_("trouble speaking, or slurred speech;"),
    N_("trouble breathing;"),
    N_("swelling of your face, lips or throat, or wheezing (signs of an allergic reaction)."),
)
SAME_DAY_INTRO = N_("Call the clinic the same day (or your own doctor) if you have:")
SAME_DAY_SIGNS: tuple[str, ...] = (
    N_("double or blurred vision;"),
    N_("weakness that spreads, or weakness all over your body."),
)
SAME_DAY_AFTER = N_("If you cannot reach anyone and you feel worse, call 911.")

CLOSING = N_(
    "If something on this page is not clear, write your question down and ask it in your video call, "
    "or call the clinic. This page is general information, not advice about your own health."
)
