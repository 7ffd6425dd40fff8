from django.urls import path

from paperfeed.claims import views

app_name = "claims"
urlpatterns = [
    path("claims", views.mine, name="mine"),
    path("claims/new", views.new, name="new"),
    path("claims/<int:claim_id>/withdraw", views.withdraw, name="withdraw"),
]
