"""The composed pages, named in the site's `catalogue` namespace beside the catalogue's own
(config/urls.py joins the two)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from portal import sitemaps, views

urlpatterns = [
    path("", views.home, name="home"),
    path("innovations/<slug:slug>/", views.innovation_detail, name="innovation-detail"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("how-innovations-spread/", views.how_spread, name="how-spread"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
]
