"""The innovation's admin page as curators use it: the catalogue's own (catalogue/admin.py),
with the innovation's adoptions inline and the import of a catalogue file."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.core.files.uploadedfile import UploadedFile
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from adopters import services as adopter_services
from adopters.models import Adoption
from catalogue.admin import InnovationAdmin
from catalogue.models import Innovation
from kernel.http import signed_in_user
from portal.importing import ImportFailed, import_catalogue, parse_json


class AdoptionInline(admin.TabularInline):
    model = Adoption
    extra = 0
    fields = [
        "organisation",
        "region",
        "local_authority",
        "area",
        "status",
        "adapted",
        "provenance",
    ]
    readonly_fields = ["provenance"]
    autocomplete_fields = ["organisation", "region", "local_authority"]
    show_change_link = True


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A JSON file in the catalogue format (docs/import-format.md).")

    def clean_file(self) -> UploadedFile:
        """A file over CATALOGUE_UPLOAD_MAX_BYTES is refused before it is read into memory."""
        upload = self.cleaned_data["file"]
        limit = settings.CATALOGUE_UPLOAD_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the import takes files up to "
                f"{filesizeformat(limit)}. Split the catalogue into smaller files, or import it "
                "on the server with manage.py import_catalogue."
            )
        return upload


class InnovationWithAdoptionsAdmin(InnovationAdmin):
    inlines: ClassVar[list[type[InlineModelAdmin]]] = [*InnovationAdmin.inlines, AdoptionInline]

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Adoptions added or changed on this page go through the adopters' rules, as on their
        own admin page: recorded by the curator, each new status a dated step."""
        if formset.model is not Adoption:
            super().save_formset(request, form, formset, change)
            return
        note = "Changed in the admin."
        adoptions = formset.save(commit=False)
        changed = {id(adoption): names for adoption, names in formset.changed_objects}
        for adoption in adoptions:
            if adoption.pk is None:
                adopter_services.record_adoption(adoption, by=signed_in_user(request), note=note)
                continue
            names = changed.get(id(adoption), [])
            adopter_services.edit_adoption(
                Adoption.objects.get(pk=adoption.pk),
                {name: getattr(adoption, name) for name in names if name != "status"},
                status=adoption.status,
                by=signed_in_user(request),
                note=note if "status" in names else "",
            )
        for adoption in formset.deleted_objects:
            adoption.delete()
        formset.save_m2m()

    # The same import as `manage.py import_catalogue`, for curators who live in the admin.
    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalogue_innovation_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                report = import_catalogue(parse_json(form.cleaned_data["file"].read()))
            except ImportFailed as failure:
                problems = failure.problems
            else:
                self.message_user(request, "Import finished: " + "; ".join(report.lines()))
                return redirect(reverse("admin:catalogue_innovation_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a catalogue file",
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalogue/import.html", context)


admin.site.unregister(Innovation)
admin.site.register(Innovation, InnovationWithAdoptionsAdmin)
