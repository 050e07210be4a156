"""The admin's catalogue import has a size limit, with a clear message (issue 14, finding 11)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import Innovation

pytestmark = pytest.mark.django_db

GOOD = b'{"innovations": [{"title": "Good idea", "summary": "It works."}]}'


def upload(curator_client, content: bytes):
    return curator_client.post(
        reverse("admin:catalogue_innovation_import"),
        {"file": SimpleUploadedFile("catalogue.json", content)},
    )


def test_a_file_over_the_limit_is_a_form_error_and_is_never_parsed(
    curator_client, settings, monkeypatch
):
    settings.CATALOGUE_UPLOAD_MAX_BYTES = 1000
    monkeypatch.setattr(
        "portal.admin.parse_json", lambda raw: pytest.fail("an over-large file was read")
    )
    padded = GOOD[:-1] + b', "padding": "' + b"x" * 1000 + b'"}'
    response = upload(curator_client, padded)
    assert response.status_code == 200
    page = response.content.decode()
    assert "the import takes files up to 1000\xa0bytes" in page
    assert "manage.py import_catalogue" in page
    assert not Innovation.objects.exists()


def test_a_file_at_the_limit_is_imported(curator_client, settings):
    settings.CATALOGUE_UPLOAD_MAX_BYTES = len(GOOD)
    response = upload(curator_client, GOOD)
    assert response.status_code == 302
    assert Innovation.objects.get().title == "Good idea"
