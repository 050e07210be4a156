"""`/api/v1/`: every resource of the API, its OpenAPI schema and its documentation page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from adopters.api import AdoptionViewSet, RegistrationCreateView
from catalogue.api import views
from networks.api import NetworkViewSet

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("adoptions", AdoptionViewSet, basename="adoption")
router.register("networks", NetworkViewSet, basename="network")
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("beneficiaries", views.BeneficiaryViewSet, basename="beneficiary")
router.register("scaling-routes", views.ScalingRouteViewSet, basename="scaling-route")
router.register("regions", views.RegionViewSet, basename="region")

urlpatterns = [
    path("innovations/", views.InnovationSearchView.as_view(), name="innovation-list"),
    path(
        "innovations/<slug:slug>/", views.InnovationDetailView.as_view(), name="innovation-detail"
    ),
    path(
        "innovations/<slug:slug>/registrations/",
        RegistrationCreateView.as_view(),
        name="registration-create",
    ),
    *router.urls,
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
