from django.contrib import admin
from django.urls import include, path

from config import health

admin.site.site_header = "Innovation Catalogue curation"
admin.site.site_title = "Innovation Catalogue admin"
admin.site.index_title = "Curate the catalogue"

api_v1 = ([path("", include("catalogue.api.urls"))], "api")

# Unknown URLs under /api/ answer in JSON like the rest of the API.
handler404 = "config.api.not_found"
handler400 = "config.api.bad_request"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("account/", include("adopters.account_urls")),
    path("", include("adopters.urls")),
    path("networks/", include("networks.urls")),
    path("", include("catalogue.urls")),
]
