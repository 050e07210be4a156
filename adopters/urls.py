from django.urls import path

from adopters import views

app_name = "adopters"
urlpatterns = [
    path("innovations/<slug:slug>/interest/", views.register_interest, name="register"),
    path("innovations/<slug:slug>/interest/sent/", views.registered, name="registered"),
    path("interest/confirm/<str:token>/", views.confirm, name="confirm"),
    path("innovations/<slug:slug>/adopt/", views.record_adoption, name="record-adoption"),
    path("adoptions/<int:pk>/", views.adoption_detail, name="adoption"),
    path("adoptions/<int:pk>/edit/", views.edit_adoption, name="edit-adoption"),
    path("adoptions/follow-up/<str:token>/", views.follow_up_adoption, name="follow-up"),
]
