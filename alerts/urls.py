from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_alert, name="new"),
    path("follow/<slug:slug>/", views.follow, name="follow"),
    path("check-your-email/", views.check_email, name="check-email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("stop/<str:token>/", views.stop, name="stop"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manage/<str:token>/", views.manage, name="manage"),
]
