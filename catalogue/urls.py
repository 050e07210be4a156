from django.urls import path

from catalogue import feeds, views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
    path("innovations/", views.innovation_list, name="innovation-list"),
    path("innovations/export.csv", views.innovation_csv, name="innovation-csv"),
    path("innovations/feed/", feeds.innovation_feed, name="innovation-feed"),
    path("innovations/<slug:slug>/", views.innovation_detail, name="innovation-detail"),
    path("innovations/<slug:slug>/reach/", views.edit_reach, name="edit-reach"),
    path("innovations/<slug:slug>/reach.csv", views.reach_csv, name="reach-csv"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("how-innovations-spread/", views.how_spread, name="how-spread"),
    path("resources/", views.resources, name="resources"),
    path("submit-an-innovation/", views.submit_innovation, name="submit"),
]
