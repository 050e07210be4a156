"""Everything held about one person, found by their email address: exported, or erased.

Names and email addresses live in registrations of interest, network memberships, adoption and
innovation contacts, email alerts and follows, accounts, the email outbox, sign-in attempts and
the admin's log, and in the audit history's copies of memberships, adoptions and innovations
(kernel/audit.py). History rows (status changes, ring moves, audit versions) point at
accounts, which erasing anonymises rather than deletes, so that the history stays whole but no
longer says who.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Cast, Concat
from psycopg import sql

from adopters import services as adopter_services
from adopters.models import Adoption, AdoptionStatusChange, RegistrationOfInterest
from alerts.models import Alert, Watch
from catalogue.models import Innovation, InnovationRevision
from kernel.audit import audited
from kernel.models import OutgoingEmail
from networks.models import Membership, Mentoring, RingMove, RingRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The audited models, as the export names them, with the fields of theirs that name a person.
_AUDITED: tuple[tuple[str, type[Innovation | Adoption | Membership], str, str], ...] = (
    ("innovation", Innovation, "contact_name", "contact_email"),
    ("adoption", Adoption, "contact_name", "contact_email"),
    ("membership", Membership, "name", "email"),
)
ERASED_REASON = "Personal data erased"


def _accounts(email: str) -> models.QuerySet[User]:
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))


def export_person(email: str) -> dict[str, Any]:
    """Everything held about the person with this email address, as plain JSON-ready data."""
    accounts = list(_accounts(email))
    registrations = RegistrationOfInterest.objects.filter(email__iexact=email).select_related(
        "innovation", "region"
    )
    memberships = (
        Membership.objects.filter(email__iexact=email)
        .select_related("network")
        .prefetch_related("moves", "requests", "mentored")
    )
    return {
        "email": email,
        "accounts": [
            {
                "username": user.username,
                "name": user.get_full_name(),
                "email": user.email,
                "date_joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
                "is_active": user.is_active,
                "owns": sorted(user.owned_innovations.values_list("slug", flat=True)),
            }
            for user in accounts
        ],
        "registrations_of_interest": [
            {
                "innovation": r.innovation.slug,
                "name": r.name,
                "email": r.email,
                "organisation": r.organisation_name,
                "organisation_kind": r.organisation_kind,
                "role": r.role,
                "region": r.region.slug if r.region else None,
                "interests": r.interests,
                "message": r.message,
                "consent_text": r.consent_text,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
                "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
            }
            for r in registrations
        ],
        "memberships": [
            {
                "network": m.network.slug,
                "name": m.name,
                "email": m.email,
                "ring": m.ring,
                "role": m.role,
                "joined_through": m.joined_through,
                "joined_on": m.joined_on.isoformat(),
                "left_on": m.left_on.isoformat() if m.left_on else None,
                "listed_publicly": m.listed_publicly,
                "moves": [
                    {
                        "from_ring": move.from_ring,
                        "to_ring": move.to_ring,
                        "moved_at": move.moved_at.isoformat(),
                        "reason": move.reason,
                    }
                    for move in m.moves.all()
                ],
                # Asking to join the learning ring, or invited to the core, with the message.
                "requests": [
                    {
                        "kind": r.kind,
                        "ring": r.ring,
                        "message": r.message,
                        "status": r.status,
                        "created_at": r.created_at.isoformat(),
                    }
                    for r in m.requests.all()
                ],
                "mentoring_asked": [
                    {
                        "message": a.message,
                        "asked_at": a.asked_at.isoformat(),
                        "paired_at": a.paired_at.isoformat() if a.paired_at else None,
                    }
                    for a in m.mentored.all()
                ],
            }
            for m in memberships
        ],
        "adoption_contacts": [
            {
                "adoption": a.pk,
                "innovation": a.innovation.slug,
                "organisation": a.organisation.slug,
                "contact_name": a.contact_name,
                "contact_email": a.contact_email,
            }
            for a in Adoption.objects.filter(contact_email__iexact=email).select_related(
                "innovation", "organisation"
            )
        ],
        "innovation_contacts": [
            {"innovation": i.slug, "contact_name": i.contact_name, "contact_email": i.contact_email}
            for i in Innovation.objects.filter(contact_email__iexact=email)
        ],
        # Changes proposed to innovations: by their accounts, or naming them as the contact.
        "innovation_changes_proposed": [
            {
                "innovation": revision.innovation.slug,
                "status": revision.status,
                "proposed_at": revision.proposed_at.isoformat(),
                "changes": revision.changes,
            }
            for revision in InnovationRevision.objects.filter(
                Q(proposed_by__in=accounts) | Q(changes__contact_email__iexact=email)
            )
            .select_related("innovation")
            .order_by("proposed_at")
        ],
        "adoption_status_changes_made": [
            {
                "adoption": change.adoption_id,
                "status": change.status,
                "changed_on": change.changed_on.isoformat(),
                "note": change.note,
            }
            for change in AdoptionStatusChange.objects.filter(changed_by__in=accounts)
        ],
        "ring_moves_made": [
            {
                "membership": move.membership_id,
                "from_ring": move.from_ring,
                "to_ring": move.to_ring,
                "moved_at": move.moved_at.isoformat(),
                "reason": move.reason,
            }
            for move in RingMove.objects.filter(moved_by__in=accounts)
        ],
        # Earlier versions of their memberships and contacts, kept by the audit history.
        "audit_versions_naming_them": [
            {
                "record": label,
                "id": version.id,
                "saved_at": version.history_date.isoformat(),
                "name": getattr(version, name_field),
                "email": getattr(version, email_field),
            }
            for label, model, name_field, email_field in _AUDITED
            for version in model.audit.filter(**{f"{email_field}__iexact": email}).order_by(
                "history_date", "history_id"
            )
        ],
        "audit_changes_made": [
            {
                "record": label,
                "id": version.id,
                "saved_at": version.history_date.isoformat(),
                "action": str(version.get_history_type_display()),
                "reason": version.history_change_reason or "",
            }
            for label, model, _, _ in _AUDITED
            for version in model.audit.filter(history_user__in=accounts).order_by(
                "history_date", "history_id"
            )
        ],
        "email_alerts": [
            {
                "email": alert.email,
                "search": alert.query,
                "frequency": alert.frequency,
                "created_at": alert.created_at.isoformat(),
                "confirmed_at": alert.confirmed_at.isoformat() if alert.confirmed_at else None,
            }
            for alert in Alert.objects.filter(email__iexact=email)
        ],
        "innovations_followed": [
            {
                "innovation": watch.innovation.slug,
                "email": watch.email,
                "frequency": watch.frequency,
                "created_at": watch.created_at.isoformat(),
                "confirmed_at": watch.confirmed_at.isoformat() if watch.confirmed_at else None,
            }
            for watch in Watch.objects.filter(email__iexact=email).select_related("innovation")
        ],
        "emails": [
            {
                "to": e.to,
                "subject": e.subject,
                "created_at": e.created_at.isoformat(),
                "sent_at": e.sent_at.isoformat() if e.sent_at else None,
            }
            for e in _emails_about(email)
        ],
    }


def _emails_about(email: str) -> models.QuerySet[OutgoingEmail]:
    return OutgoingEmail.objects.filter(Q(to__iexact=email) | Q(body__iregex=mention(email)))


def mention(email: str) -> str:
    """A PostgreSQL pattern for the address as a whole, in any text: not the tail of a longer
    address (jo@example.org in anjo@example.org) nor the start of one (…@example.org.uk)."""
    return rf"(?<![[:alnum:]._%+-]){re.escape(email)}(?![[:alnum:]_-]|\.[[:alnum:]])"


@transaction.atomic
def erase_person(email: str) -> dict[str, int]:
    """Remove, or where a row must stay for the record's sake anonymise, everything held about
    the person with this email address. Returns how many rows each step touched."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    done: dict[str, int] = {}
    registrations = RegistrationOfInterest.objects.filter(email__iexact=email)
    # The admin's log names these rows by the person's name: they are anonymised there too.
    logged = [
        (model, [str(pk) for pk in rows.values_list("pk", flat=True)])
        for model, rows in (
            (RegistrationOfInterest, registrations),
            (Membership, Membership.objects.filter(email__iexact=email)),
            (get_user_model(), _accounts(email)),
        )
    ]
    done["registrations deleted"] = registrations.delete()[0]
    # Memberships stay, anonymous, so that ring sizes and the graduation funnel stay true.
    memberships = list(Membership.objects.filter(email__iexact=email))
    for membership in memberships:
        membership.email = f"erased-{membership.pk}@erased.invalid"
        membership.name = ""
        membership.user = None
        membership.listed_publicly = False
        with audited(membership, reason=ERASED_REASON):
            membership.save(
                update_fields=["email", "name", "user", "listed_publicly", "updated_at"]
            )
    done["memberships anonymised"] = len(memberships)
    # What they wrote asking to move inwards or for a mentor, and invitations written to them,
    # can name them or give a phone number: the requests and pairings stay, their words go.
    done["network messages removed"] = RingRequest.objects.filter(
        membership__in=memberships
    ).exclude(message="").update(message="") + Mentoring.objects.filter(
        mentee__in=memberships
    ).exclude(message="").update(message="")
    done["adoption contacts removed"] = Adoption.objects.filter(contact_email__iexact=email).update(
        contact_name="", contact_email=""
    )
    done["innovation contacts removed"] = Innovation.objects.filter(
        contact_email__iexact=email
    ).update(contact_name="", contact_email="")
    done["proposed changes anonymised"] = _erase_from_proposals(email)
    done["audit versions anonymised"] = _erase_from_audit(email, [m.pk for m in memberships])
    done["emails deleted"] = _emails_about(email).delete()[0]
    done["email alerts and follows deleted"] = sum(
        model.objects.filter(email__iexact=email).delete()[0] for model in (Alert, Watch)
    )

    accounts = list(_accounts(email))
    original_usernames = [user.username for user in accounts]
    for user in accounts:
        # The account stays, so that history rows pointing at it stay whole, but says nobody.
        user.username = f"erased-{user.pk}"
        user.email = user.first_name = user.last_name = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
    done["accounts anonymised"] = len(accounts)
    done["API tokens deleted"] = sum(adopter_services.revoke_api_tokens(user) for user in accounts)
    usernames = Q()
    for name in [email, *original_usernames]:
        usernames |= Q(username__iexact=name)
    done["sign-in records deleted"] = sum(
        model.objects.filter(usernames).delete()[0]
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )
    about = Q(object_repr__iregex=mention(email))
    for model, ids in logged:
        about |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    done["admin log entries anonymised"] = LogEntry.objects.filter(about).update(
        object_repr="(erased)"
    )
    # Free text (a note in a status history, a reason for a ring move, an innovation's story)
    # may quote the address too: wherever it is left in the apps' own tables, it is replaced.
    done["mentions in free text replaced"] = 0
    with connection.cursor() as cursor:
        for table, column, _ in traces(email):
            if not table.startswith(_OWN_TABLES):
                continue
            query = sql.SQL(
                "UPDATE {table} SET {column} = regexp_replace({column}, %s, '(erased)', 'gi') "
                "WHERE {column} ~* %s"
            ).format(table=sql.Identifier(table), column=sql.Identifier(column))
            cursor.execute(query.as_string(cursor.connection), [mention(email), mention(email)])
            done["mentions in free text replaced"] += cursor.rowcount
    return done


def _erase_from_proposals(email: str) -> int:
    """Changes proposed to innovations are kept as JSON, which the free-text step below does
    not rewrite: a proposed contact who is this person goes, and their address anywhere else
    in a proposal (quoted in a summary, say) is replaced."""
    address = re.compile(re.escape(email), re.IGNORECASE)
    count = 0
    naming = InnovationRevision.objects.annotate(text=Cast("changes", models.TextField()))
    for revision in naming.filter(text__iregex=mention(email)):
        changes = dict(revision.changes)
        if str(changes.get("contact_email", "")).lower() == email.lower():
            changes["contact_email"] = changes["contact_name"] = ""
        changes = {
            name: address.sub("(erased)", value) if isinstance(value, str) else value
            for name, value in changes.items()
        }
        InnovationRevision.objects.filter(pk=revision.pk).update(changes=changes)
        count += 1
    return count


def _erase_from_audit(email: str, membership_ids: list[int]) -> int:
    """Apply the same replacements to the audit history's copies, so that an earlier version
    does not give back what was just erased: every version of the person's memberships (even
    one from before an address was corrected), and every contact that was them."""
    count = Membership.audit.filter(Q(email__iexact=email) | Q(id__in=membership_ids)).update(
        email=Concat(Value("erased-"), Cast("id", models.CharField()), Value("@erased.invalid")),
        name="",
        user=None,
    )
    for model in (Adoption, Innovation):
        count += model.audit.filter(contact_email__iexact=email).update(
            contact_name="", contact_email=""
        )
    return count


# The apps' own tables, whose text columns erasing may rewrite (their audit history included).
_OWN_TABLES = ("catalogue_", "adopters_", "networks_")


def traces(email: str) -> list[tuple[str, str, int]]:
    """Every (table, column, rows) in the database's text columns that still holds the email
    address, in any case: the check that erasing missed nothing."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = current_schema()
               AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
             ORDER BY table_name, column_name
            """
        )
        by_table: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            by_table.setdefault(table, []).append(column)
        found = []
        for table, columns in by_table.items():
            # One pass over each table, counting every text column at once.
            counts = sql.SQL(", ").join(
                sql.SQL("count(*) FILTER (WHERE {}::text ~* %(p)s)").format(sql.Identifier(c))
                for c in columns
            )
            query = sql.SQL("SELECT {} FROM {}").format(counts, sql.Identifier(table))
            cursor.execute(query.as_string(cursor.connection), {"p": mention(email)})
            found += [(table, c, n) for c, n in zip(columns, cursor.fetchone(), strict=True) if n]
    return found
