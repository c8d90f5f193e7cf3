from django.urls import path

from . import views

urlpatterns = [
    path("aviso/", views.privacy_notice, name="privacy-notice"),
    path("meus-dados/", views.my_data_page, name="privacy-my-data"),
    path("meus-dados.json", views.my_data_json, name="privacy-my-data-json"),
    path("atendimentos/<int:number>/mostrar/", views.reveal, name="privacy-reveal"),
]
