"""What the catalogue tells the apps built on it, without knowing them (docs/architecture.md).

Sent inside the transaction of the change, so a receiver's failure undoes the change too.
"""

from django.dispatch import Signal

# An innovation became public (catalogue.services.publish; the importer publishes through it).
# Arguments: innovation, by (who published it, or None).
innovation_published = Signal()
