"""`/api/v1/`: every resource of the API, its OpenAPI schema and its documentation page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from adopters.api import AdoptionViewSet, RegistrationCreateView
from alerts.api import AlertCreateView
from catalogue.api import views as catalogue_api
from networks.api import NetworkViewSet
from portal import api

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("adoptions", AdoptionViewSet, basename="adoption")
router.register("networks", NetworkViewSet, basename="network")
router.register("resources", catalogue_api.ResourceViewSet, basename="resource")
router.register("sectors", catalogue_api.SectorViewSet, basename="sector")
router.register("beneficiaries", catalogue_api.BeneficiaryViewSet, basename="beneficiary")
router.register("scaling-routes", catalogue_api.ScalingRouteViewSet, basename="scaling-route")
router.register("regions", catalogue_api.RegionViewSet, basename="region")

urlpatterns = [
    path("", api.ApiRootView.as_view(), name="root"),
    path("innovations/", api.InnovationListView.as_view(), name="innovation-list"),
    path("innovations/<slug:slug>/", api.InnovationDetailView.as_view(), name="innovation-detail"),
    path(
        "innovations/<slug:slug>/registrations/",
        RegistrationCreateView.as_view(),
        name="registration-create",
    ),
    path("alerts/", AlertCreateView.as_view(), name="alert-create"),
    *router.urls,
    path("auth/token/", catalogue_api.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
