"""The catalogue's own pages. config/urls.py serves them in the `catalogue` namespace with the
portal's composed pages (the home page, an innovation's and an organisation's pages)."""

from django.urls import path

from catalogue import feeds, views

urlpatterns = [
    path("innovations/", views.innovation_list, name="innovation-list"),
    path("innovations/export.csv", views.innovation_csv, name="innovation-csv"),
    path("innovations/feed/", feeds.innovation_feed, name="innovation-feed"),
    path("innovations/<slug:slug>/edit/", views.edit_innovation, name="edit"),
    path(
        "innovations/<slug:slug>/changes/withdraw/",
        views.withdraw_changes,
        name="withdraw-changes",
    ),
    path("innovations/<slug:slug>/reviewed/", views.reviewed, name="reviewed"),
    path(
        "innovations/<slug:slug>/confirm/<str:token>/",
        views.confirm_current,
        name="confirm-current",
    ),
    path("innovations/<slug:slug>/reach/", views.edit_reach, name="edit-reach"),
    path("innovations/<slug:slug>/reach.csv", views.reach_csv, name="reach-csv"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("resources/", views.resources, name="resources"),
    path("submit-an-innovation/", views.submit_innovation, name="submit"),
]
