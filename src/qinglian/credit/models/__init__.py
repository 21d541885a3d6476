"""The credit system (信用体系): credit records and their publication windows, ratings, red and
black lists with due process, objections, credit repair, credit pledges, and the documents
chambers publish.

Every record belongs to one federation (the jurisdiction that keeps the credit file) and is
about one subject: an enterprise (``registry.Organisation``) or a practitioner
(``registry.Person``). ``subject_name`` and ``subject_code`` are copied at entry: they are the
only personal identifiers the public portal ever shows (the name of the sanctioned party, and
an enterprise's USCC; never a person's ID number).

Public visibility is a query, not a flag (``queries.public_records``): a record is public while
it is published, not repaired or revoked, and today lies inside ``publish_from`` …
``publish_until``. Expiry therefore needs no job.
"""

from .process import CreditFile, Listing, Objection, RepairApplication, credit_file_path
from .public import ChamberDocument, CreditPledge, CreditReport, document_path
from .ratings import GradeFactor, Rating, RatingBand, RatingFactor, RatingLine, RatingModel
from .records import CreditPolicy, CreditRecord, WindowRule

__all__ = [
    "ChamberDocument", "CreditFile", "CreditPledge", "CreditPolicy", "CreditRecord",
    "CreditReport", "GradeFactor", "Listing", "Objection", "Rating", "RatingBand",
    "RatingFactor", "RatingLine", "RatingModel", "RepairApplication", "WindowRule",
    "credit_file_path", "document_path",
]
