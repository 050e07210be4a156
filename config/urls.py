from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from catalogue import urls as catalogue_urls
from config import health
from portal import urls as portal_urls

admin.site.site_header = "Innovation Catalogue curation"
admin.site.site_title = "Innovation Catalogue admin"
admin.site.index_title = "Curate the catalogue"

api_v1 = ([path("", include("portal.api_urls"))], "api")
# The site's pages keep one namespace, `catalogue`, whichever layer serves them: the catalogue's
# own pages first (its `innovations/feed/` before the portal's `innovations/<slug>/`).
site_pages = ([*catalogue_urls.urlpatterns, *portal_urls.urlpatterns], "catalogue")

# Unknown URLs under /api/ answer in JSON like the rest of the API.
handler404 = "kernel.api.not_found"
handler400 = "kernel.api.bad_request"
# A database away or a statement cut short: 503 with Retry-After (config/faults.py).
handler500 = "config.faults.server_error"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page says: send them to the site's icon."""
    return HttpResponsePermanentRedirect(static("images/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("account/", include("adopters.account_urls")),
    path("", include("adopters.urls")),
    path("networks/", include("networks.urls")),
    path("alerts/", include("alerts.urls")),
    path("", include(site_pages)),
]
