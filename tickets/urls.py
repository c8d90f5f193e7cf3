from django.urls import path

from . import views

urlpatterns = [
    path("", views.chat_window, name="chat"),
    path("painel/", views.panel, name="chat-panel"),
    path("atendimento-on-line/", views.panel_page, name="chat-panel-page"),
    path("novo/", views.ticket_new, name="chat-new"),
    path("meus-dados/", views.my_data, name="chat-my-data"),
    path("atendimentos/<int:number>/", views.ticket_detail, name="chat-ticket"),
    path("atendimentos/<int:number>/informacoes/", views.ticket_info, name="chat-ticket-info"),
    path("atendimentos/<int:number>/concluir/", views.ticket_conclude, name="chat-ticket-conclude"),
]
