from django.urls import path

from networks import views

app_name = "networks"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("<slug:slug>/", views.network_detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/listing/", views.listing, name="listing"),
    path("<slug:slug>/ask/", views.ask, name="ask"),
    path("<slug:slug>/requests/<int:pk>/", views.decide, name="decide"),
    path("<slug:slug>/facilitate/", views.facilitate, name="facilitate"),
    path("<slug:slug>/move/", views.move, name="move"),
    path("<slug:slug>/invite/<int:pk>/", views.invite, name="invite"),
    path("<slug:slug>/members.csv", views.members_csv, name="members-csv"),
    path("<slug:slug>/mentor/", views.mentor, name="mentor"),
    path("<slug:slug>/mentee/", views.mentee, name="mentee"),
    path("<slug:slug>/pair/<int:pk>/", views.pair, name="pair"),
]
