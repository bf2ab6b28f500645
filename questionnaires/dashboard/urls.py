"""The dashboard's URL, included in the practice's namespace (`practice:dashboard`)."""

from django.urls import path

from questionnaires.dashboard import views

urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]
