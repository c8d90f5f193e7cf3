from django.urls import path

from . import views

urlpatterns = [
    path("atendimentos/<int:number>/", views.answer_in_chat, name="csat-chat"),
    path("<str:token>/", views.answer_by_link, name="csat-link"),
]
