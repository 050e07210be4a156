"""What the adopters' records tell the apps built on them, without knowing them
(docs/architecture.md). Sent inside the transaction of the change, so a receiver's failure
undoes the change too.
"""

from django.dispatch import Signal

# An adoption's status was added to its dated history (adopters.services.note_status).
# Arguments: adoption, by (who recorded the step, or None).
adoption_status_noted = Signal()

# A person confirmed their registration of interest (adopters.services.confirm_registration).
# Arguments: registration.
interest_confirmed = Signal()

# A curator verified an adoption (adopters.services.verify_adoption). Arguments: adoption, by.
adoption_verified = Signal()
