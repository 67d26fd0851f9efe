"""Patient data rights: see everything held about a person, erase it, and let it expire.

``people`` finds a person's submissions, return visits and drafts; ``access`` exports all of it
(HTML and JSON); ``erasure`` shreds their data keys and blanks the mutable copies; ``retention``
erases what has outlived the clinic's policy; ``notice`` is what the patient is told. The
encryption that makes erasure possible in append-only tables is ``screening.storage.sealing``.
"""
