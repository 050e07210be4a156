from django.urls import path

from catalogue.api import views

urlpatterns = [
    path("innovations/", views.InnovationSearchView.as_view(), name="innovation-list"),
    path(
        "innovations/<slug:slug>/", views.InnovationDetailView.as_view(), name="innovation-detail"
    ),
]
