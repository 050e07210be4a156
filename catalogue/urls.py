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
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("privacy/", views.privacy, name="privacy"),
]
