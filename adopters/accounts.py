"""Accounts for innovators and adopters: sign up (verified by email), sign in with the email
address, sign out, and reset a forgotten password. Django's own auth views do the work; these
forms only sign people in by email, and send every message through the outbox. Signing up and
confirming the address are adopters.services' rules (sign_up, account_to_verify, open_account).

Sign-in failures are counted by django-axes: after AXES_FAILURE_LIMIT failures for one account
from one network address, that pair is locked out for a while (a 429 page). An address failing
across many accounts is slowed as well (kernel/sign_in_pace.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from adopters import services
from kernel import outbox
from kernel.api import client_address
from kernel.mailboxes import unquoted
from kernel.text import max_length, single_line

User = get_user_model()


class SignInForm(AuthenticationForm):
    """Django's sign-in form, asking for the email address (the account's username)."""

    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"required": "Enter your email address"},
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter the email address and password of your account. If you have "
        "just created it, confirm your email address first: we sent you a link.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean_username(self) -> str:
        """The account's own username for the address typed, in any case (accounts made in the
        admin may have a username of their own, or capitals)."""
        typed = self.cleaned_data["username"]
        matches = list(
            User.objects.filter(Q(username__iexact=typed) | Q(email__iexact=typed)).values_list(
                "username", flat=True
            )[:2]
        )
        return matches[0] if len(matches) == 1 else typed.lower()


class SignUpForm(forms.Form):
    """Only the address: the name and the password are chosen at the link emailed to it
    (OpenAccountForm), by whoever holds the mailbox."""

    email = forms.EmailField(
        label="Email address",
        max_length=max_length(User, "username"),  # it becomes the username
        validators=[single_line, unquoted],
        help_text="You will sign in with it. We will send you a link to confirm it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Use an email address of 150 characters or fewer: it becomes your "
            "username",
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()


class OpenAccountForm(BaseUserCreationForm):
    """The name and password of an account, chosen at the link that confirms its address;
    the password is checked against Django's validators as this account's."""

    class Meta:
        model = User
        fields = ("first_name",)
        labels = {"first_name": "Your name"}
        widgets = {"first_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].error_messages["required"] = "Enter your name"
        # User's fields carry no such validator: a name on one line, as emails use.
        self.fields["first_name"].validators.append(single_line)
        self.fields["password1"].error_messages["required"] = "Enter a password"
        self.fields["password1"].help_text = (
            "At least 8 characters: not a common password, not only numbers, and not like "
            "your name or email address."
        )
        self.fields["password2"].label = "Password again"
        self.fields["password2"].help_text = ""
        self.fields["password2"].error_messages["required"] = "Enter the password again"


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form; the email goes through the outbox, so a mail failure is retried."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        outbox.queue(to_email, subject, render_to_string(email_template_name, context))


def _too_many(request: HttpRequest, exc: services.RateLimited) -> HttpResponse:
    response = render(
        request, "registration/too_many_emails.html", {"wait": exc.retry_after}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.sign_up(
                email=form.cleaned_data["email"],
                client=services.client_key(client_address(request)),
                absolute=request.build_absolute_uri,
            )
        except services.RateLimited as exc:
            return _too_many(request, exc)
        # Whoever typed the address is told what anyone would be (services.sign_up).
        return redirect("accounts:sign-up-sent")
    return render(
        request, "registration/sign_up.html", {"form": form}, status=400 if form.errors else 200
    )


def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/sign_up_sent.html")


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed at sign-up: whoever holds the mailbox chooses a name and a password
    here, and the account opens and signs in."""
    try:
        to_open = services.account_to_verify(token)
    except services.InvalidLink as exc:
        return _invalid_link(request, exc)
    instance = to_open.account or User(username=to_open.email, email=to_open.email)
    form = OpenAccountForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        initial={"first_name": ""},
    )
    if form.is_bound and form.is_valid():
        try:
            user = services.open_account(
                to_open,
                name=form.cleaned_data["first_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvalidLink as exc:
            return _invalid_link(request, exc)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:dashboard")
    return render(
        request,
        "registration/verify.html",
        {"email": to_open.email, "form": form},
        status=400 if form.errors else 200,
    )


def _invalid_link(request: HttpRequest, exc: services.InvalidLink) -> HttpResponse:
    return render(request, "registration/verify_invalid.html", {"problem": str(exc)}, status=400)


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    email_template_name = "registration/email/password_reset.txt"
    subject_template_name = "registration/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")
    extra_email_context = {"SITE_NAME": settings.SITE_NAME}

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        """Within the limits on emails about accounts; past an address's, the page says the
        same as ever and nothing is sent."""
        try:
            allowed = services.account_email_allowed(
                form.cleaned_data["email"], services.client_key(client_address(self.request))
            )
        except services.RateLimited as exc:
            return _too_many(self.request, exc)
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password-reset-complete")
