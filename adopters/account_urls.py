"""`/account/`: signing up, in and out, resetting a password, and the innovator's dashboard."""

from django.contrib.auth import views as auth_views
from django.urls import path

from adopters import accounts, views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("interest.csv", views.received_csv, name="received-csv"),
    path("interest/<int:pk>/", views.follow_up, name="follow-up"),
    path("api-token/revoke/", views.revoke_api_token, name="revoke-api-token"),
    path("sign-in/", accounts.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("sign-up/", accounts.sign_up, name="sign-up"),
    path("sign-up/sent/", accounts.sign_up_sent, name="sign-up-sent"),
    path("verify/<str:token>/", accounts.verify, name="verify"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
