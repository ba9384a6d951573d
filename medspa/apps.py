from django.apps import AppConfig


class MedspaConfig(AppConfig):
    name = "medspa"
    verbose_name = "Clinic"
