from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Innovation Catalogue curation"
admin.site.site_title = "Innovation Catalogue admin"
admin.site.index_title = "Curate the catalogue"

api_v1 = ([path("", include("catalogue.api.urls"))], "api")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("catalogue.urls")),
]
