from django.apps import AppConfig


class WblConfig(AppConfig):
    name = "wbl"
    verbose_name = "Districts and people"
