"""The mailbox an email address delivers to, for limits counted per person's address.

Many mail services deliver `name+anything@domain` to `name@domain` (plus addressing), and
Gmail ignores dots in the name (`n.a.m.e@gmail.com` is `name@gmail.com`, and
`googlemail.com` is the same service). A limit per address counted on the address as typed
lets one mailbox take a fresh allowance by adding a tag or a dot; counted on its mailbox, it
holds. Only what the address is compared as changes: the address stored is the one typed.

Dots are ignored for Gmail only: elsewhere they can make different mailboxes
(`jo.smith@` and `josmith@` at one council may be two people), while Google documents that
Gmail addresses with and without dots are the same mailbox.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Func, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Concat, Lower, Replace
from django.db.models.lookups import In

DOTLESS_DOMAINS = ("gmail.com", "googlemail.com")
DOTLESS_AS = "gmail.com"


def _regexp_replace(expression: Combinable, pattern: str, replacement: str) -> Func:
    return Func(
        expression,
        Value(pattern),
        Value(replacement),
        function="REGEXP_REPLACE",
        output_field=CharField(),
    )


def mailbox(address: str | Combinable) -> Case:
    """The mailbox of an address (a column's F() or an address as text), as SQL: lower case,
    the tag after the first "+" of the name left out, Gmail's dots too.

    Built only of immutable functions, so that an index can hold it (adopters' registrations
    are counted by it); filter with `mailbox(F("email"))` equal to `mailbox(typed)`.
    """
    lowered = Lower(Value(address) if isinstance(address, str) else address)
    name = _regexp_replace(lowered, r"@[^@]*$", "")  # before the last "@"
    name = _regexp_replace(name, r"\+.*$", "")
    domain = _regexp_replace(lowered, r"^.*@", "")  # after the last "@"
    return Case(
        When(
            In(domain, DOTLESS_DOMAINS),
            then=Concat(Replace(name, Value("."), Value("")), Value("@" + DOTLESS_AS)),
        ),
        default=Concat(name, Value("@"), domain),
        output_field=CharField(),
    )


def mailbox_of(address: str) -> str:
    """The same as `mailbox`, in Python, for counts kept outside the database (the cache)."""
    lowered = address.lower()
    name, _, domain = lowered.rpartition("@")
    name = name.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        return name.replace(".", "") + "@" + DOTLESS_AS
    return f"{name}@{domain}"


def unquoted(address: str) -> None:
    """Refuse an address whose name is quoted or escaped (`"sam"@…`, `s\\am@…`): valid, but
    delivered to the same mailbox as the plain spelling, so each spelling would count apart in
    a limit per mailbox. Nobody needs one to register or sign up."""
    name = address.rpartition("@")[0]
    if '"' in name or "\\" in name:
        raise ValidationError(
            "Enter the address without quotation marks or backslashes, like name@example.org",
            code="quoted",
        )
